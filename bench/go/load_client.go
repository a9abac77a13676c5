// Command load_client drives a signer like a rack of Talos workers: every call is a fresh key and
// CSR (made before timing starts) and, by default, a fresh TLS connection, as workers never reuse
// one. It prints one JSON object with throughput, latency percentiles and error counts.
//
// With -sources N, the workers' connections come from N loopback source addresses (127.0.1.1,
// 127.0.1.2, ...), as a rack of workers has one address each; per-address limits then apply per
// worker, not to the whole load.
//
// Usage: load_client -target 127.0.0.1:50001 -ca ca.crt -token T -calls 3000 -concurrency 64 [-reuse] [-sources 64]
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io/ioutil"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"load/security"
)

type tokenCredentials string

func (t tokenCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"token": string(t)}, nil
}

func (tokenCredentials) RequireTransportSecurity() bool { return true }

type result struct {
	Calls       int            `json:"calls"`
	Concurrency int            `json:"concurrency"`
	Reuse       bool           `json:"reuse_connection"`
	Errors      int            `json:"errors"`
	ErrorCodes  map[string]int `json:"error_codes,omitempty"`
	Seconds     float64        `json:"seconds"`
	CallsPerSec float64        `json:"calls_per_s"`
	P50Ms       float64        `json:"p50_ms"`
	P90Ms       float64        `json:"p90_ms"`
	P99Ms       float64        `json:"p99_ms"`
}

func main() {
	target := flag.String("target", "127.0.0.1:50001", "signer address (loopback only)")
	caFile := flag.String("ca", "", "CA bundle")
	token := flag.String("token", "", "machine token")
	calls := flag.Int("calls", 3000, "number of calls")
	concurrency := flag.Int("concurrency", 8, "calls in parallel")
	reuse := flag.Bool("reuse", false, "send every call over one shared connection")
	sources := flag.Int("sources", 1, "loopback source addresses to spread the workers over (1: the system's choice)")
	flag.Parse()
	if *sources < 1 || *sources > 250 {
		fail("sources must be 1 to 250")
	}

	host, _, err := net.SplitHostPort(*target)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fail("target must be a loopback address")
	}
	caPEM, err := ioutil.ReadFile(*caFile)
	if err != nil {
		fail(err.Error())
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	creds := credentials.NewTLS(&tls.Config{RootCAs: roots, ServerName: host})

	csrs := make([][]byte, *calls)
	for i := range csrs {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject:     pkix.Name{CommonName: fmt.Sprintf("worker-%d", i)},
			DNSNames:    []string{fmt.Sprintf("worker-%d", i)},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.IPv4(10, 5, byte(i>>8), byte(i))},
		}, key)
		if err != nil {
			fail(err.Error())
		}
		csrs[i] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}

	dialFrom := func(worker int) (*grpc.ClientConn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		options := []grpc.DialOption{grpc.WithTransportCredentials(creds),
			grpc.WithPerRPCCredentials(tokenCredentials(*token)), grpc.WithBlock()}
		if *sources > 1 {
			source := &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+worker%*sources))}
			dialer := &net.Dialer{LocalAddr: source}
			options = append(options, grpc.WithContextDialer(func(ctx context.Context, address string) (net.Conn, error) {
				return dialer.DialContext(ctx, "tcp", address)
			}))
		}
		return grpc.DialContext(ctx, *target, options...)
	}
	var shared *grpc.ClientConn
	if *reuse {
		if shared, err = dialFrom(0); err != nil {
			fail(err.Error())
		}
		defer shared.Close()
	}

	latencies := make([]time.Duration, *calls)
	codes := map[string]int{}
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		worker := w
		dial := func() (*grpc.ClientConn, error) { return dialFrom(worker) }
		go func() {
			defer wg.Done()
			for i := range next {
				began := time.Now()
				err := call(shared, dial, csrs[i])
				latencies[i] = time.Since(began)
				if err != nil {
					mu.Lock()
					codes[status.Code(err).String()]++
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < *calls; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)

	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	errors := 0
	for _, n := range codes {
		errors += n
	}
	_ = json.NewEncoder(os.Stdout).Encode(result{
		Calls: *calls, Concurrency: *concurrency, Reuse: *reuse, Errors: errors, ErrorCodes: codes,
		Seconds: elapsed.Seconds(), CallsPerSec: float64(*calls) / elapsed.Seconds(),
		P50Ms: pct(0.50), P90Ms: pct(0.90), P99Ms: pct(0.99),
	})
}

func call(shared *grpc.ClientConn, dial func() (*grpc.ClientConn, error), csr []byte) error {
	conn := shared
	if conn == nil {
		var err error
		if conn, err = dial(); err != nil {
			return err
		}
		defer conn.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := security.NewSecurityServiceClient(conn).Certificate(ctx, &security.CertificateRequest{Csr: csr})
	return err
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "load_client:", message)
	os.Exit(2)
}
