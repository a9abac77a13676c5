// Command batch_client sends a batch of Certificate calls with grpc-go, each on a fresh TLS
// connection as Talos workers do, for tests that send many (hostile) requests. It reads one JSON
// object on stdin, {"target", "caPem", "concurrency", "calls": [{"token", "csrBase64"}]}, and
// prints a JSON array of {"code", "details", "crt"} in call order ("code" is "OK" on success).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"batch/security"
)

type input struct {
	Target      string `json:"target"`
	CAPem       string `json:"caPem"`
	Concurrency int    `json:"concurrency"`
	Calls       []struct {
		Token     *string `json:"token"`
		CSRBase64 string  `json:"csrBase64"`
	} `json:"calls"`
}

type output struct {
	Code    string `json:"code"`
	Details string `json:"details,omitempty"`
	Crt     string `json:"crt,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(err)
	}
	host, _, err := net.SplitHostPort(in.Target)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fail(fmt.Errorf("target must be a loopback address"))
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(in.CAPem))
	creds := credentials.NewTLS(&tls.Config{RootCAs: roots, ServerName: host})
	if in.Concurrency < 1 {
		in.Concurrency = 1
	}
	results := make([]output, len(in.Calls))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < in.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = call(in.Target, creds, in.Calls[i].Token, in.Calls[i].CSRBase64)
			}
		}()
	}
	for i := range in.Calls {
		next <- i
	}
	close(next)
	wg.Wait()
	_ = json.NewEncoder(os.Stdout).Encode(results)
}

func call(target string, creds credentials.TransportCredentials, token *string, csrBase64 string) output {
	csr, err := base64.StdEncoding.DecodeString(csrBase64)
	if err != nil {
		return output{Code: "BAD_INPUT", Details: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// No WithBlock: a refused connection fails the call at once (UNAVAILABLE) instead of retrying.
	conn, err := grpc.DialContext(ctx, target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return output{Code: "DIAL_FAILED", Details: err.Error()}
	}
	defer conn.Close()
	if token != nil {
		ctx = metadata.AppendToOutgoingContext(ctx, "token", *token)
	}
	response, err := security.NewSecurityServiceClient(conn).Certificate(ctx, &security.CertificateRequest{Csr: csr})
	if err != nil {
		st := status.Convert(err)
		return output{Code: codeName(st.Code().String()), Details: st.Message()}
	}
	return output{Code: "OK", Crt: string(response.Crt)}
}

// codeName turns grpc-go's "InvalidArgument" into the canonical "INVALID_ARGUMENT".
func codeName(goName string) string {
	out := make([]byte, 0, len(goName)+4)
	for i := 0; i < len(goName); i++ {
		c := goName[i]
		if c >= 'A' && c <= 'Z' && i > 0 {
			out = append(out, '_')
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "batch_client:", err)
	os.Exit(2)
}
