// Command worker_client behaves like a Talos worker asking trustd for its apid certificate, using
// Go's crypto/tls, crypto/x509 and Debian's grpc-go: a fresh key and CSR, a TLS connection that
// verifies the server against the Talos CA with the dialled host as server name, the token as a
// per-RPC credential. It then checks what the worker itself does not: that the answer chains to
// `ca` for server auth, certifies our key, carries the contract's profile, and works in a real
// crypto/tls handshake. It prints one JSON object and exits 1 when a check fails.
//
// Usage: worker_client -target 127.0.0.1:50001 -ca ca.crt -token TOKEN [-key ed25519|ecdsa|rsa]
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
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
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"worker/security"
)

type tokenCredentials string

func (t tokenCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"token": string(t)}, nil
}

func (tokenCredentials) RequireTransportSecurity() bool { return true }

type report struct {
	OK      bool     `json:"ok"`
	Code    string   `json:"code,omitempty"`
	Details string   `json:"details,omitempty"`
	Failed  string   `json:"failed,omitempty"`
	Passed  []string `json:"passed,omitempty"`
	Serial  string   `json:"serial,omitempty"`
	CAs     int      `json:"cas,omitempty"`
}

func main() {
	target := flag.String("target", "127.0.0.1:50001", "signer address")
	caFile := flag.String("ca", "", "Talos CA bundle file")
	token := flag.String("token", "", "machine token")
	keyType := flag.String("key", "ed25519", "worker key type: ed25519, ecdsa or rsa")
	source := flag.String("source", "", "local address to connect from (e.g. 127.0.0.2)")
	flag.Parse()

	out := json.NewEncoder(os.Stdout)
	fail := func(r report) {
		_ = out.Encode(r)
		os.Exit(1)
	}

	caPEM, err := ioutil.ReadFile(*caFile)
	if err != nil {
		fail(report{Failed: "read CA: " + err.Error()})
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		fail(report{Failed: "CA file holds no certificate"})
	}
	key, err := newKey(*keyType)
	if err != nil {
		fail(report{Failed: err.Error()})
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:     pkix.Name{CommonName: "go-worker", Organization: []string{"os:impersonator"}},
		DNSNames:    []string{"go-worker"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.5.0.4")},
	}, key)
	if err != nil {
		fail(report{Failed: "create CSR: " + err.Error()})
	}

	host, _, _ := net.SplitHostPort(*target)
	tlsConfig := &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dialer := &net.Dialer{}
	if *source != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(*source)}
	}
	conn, err := grpc.DialContext(ctx, *target,
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		}),
		grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)),
		grpc.WithPerRPCCredentials(tokenCredentials(*token)), grpc.WithBlock())
	if err != nil {
		fail(report{Failed: "dial: " + err.Error()})
	}
	defer conn.Close()

	response, err := security.NewSecurityServiceClient(conn).Certificate(ctx,
		&security.CertificateRequest{Csr: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})})
	if err != nil {
		st := status.Convert(err)
		_ = out.Encode(report{Code: st.Code().String(), Details: st.Message()})
		return
	}
	r := check(response.Ca, response.Crt, key)
	if !r.OK {
		fail(r)
	}
	_ = out.Encode(r)
}

func newKey(kind string) (crypto.Signer, error) {
	switch kind {
	case "ed25519":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	case "ecdsa":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("unknown key type %q", kind)
}

func check(caPEM, crtPEM []byte, key crypto.Signer) report {
	r := report{}
	pass := func(name string) { r.Passed = append(r.Passed, name) }
	failed := func(format string, args ...interface{}) report {
		r.Failed = fmt.Sprintf(format, args...)
		return r
	}

	block, rest := pem.Decode(crtPEM)
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return failed("crt is not exactly one PEM CERTIFICATE")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return failed("parse crt: %v", err)
	}
	pass("crt is one certificate")

	var cas []*x509.Certificate
	for rest := caPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		ca, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return failed("parse ca: %v", err)
		}
		cas = append(cas, ca)
	}
	if len(cas) == 0 || !bytes.HasSuffix(caPEM, []byte("\n")) {
		return failed("ca is empty or not newline-terminated")
	}
	r.CAs = len(cas)
	roots := x509.NewCertPool()
	for _, ca := range cas {
		roots.AddCert(ca)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return failed("verify crt against ca for server auth: %v", err)
	}
	pass("crt chains to ca for serverAuth")

	if !publicKeyEqual(leaf.PublicKey, key.Public()) {
		return failed("crt does not certify the worker's key")
	}
	pass("crt certifies the worker key")
	if len(leaf.Subject.Organization) != 0 {
		return failed("subject keeps Organization %v", leaf.Subject.Organization)
	}
	pass("Organization removed")
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature {
		return failed("key usage is %v, want digitalSignature only", leaf.KeyUsage)
	}
	if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		return failed("ext key usage is %v, want serverAuth only", leaf.ExtKeyUsage)
	}
	if leaf.IsCA {
		return failed("crt is a CA")
	}
	pass("profile: digitalSignature, serverAuth, not a CA")
	if leaf.SerialNumber.Sign() <= 0 || leaf.SerialNumber.BitLen() < 64 {
		return failed("serial %v is not positive and random", leaf.SerialNumber)
	}
	if leaf.NotAfter.Sub(leaf.NotBefore) <= 12*time.Hour {
		return failed("lifetime %v is not above 12h", leaf.NotAfter.Sub(leaf.NotBefore))
	}
	issuing := cas[len(cas)-1]
	if !bytes.Equal(leaf.AuthorityKeyId, issuing.SubjectKeyId) && len(issuing.SubjectKeyId) != 0 {
		return failed("authority key id does not match the issuing CA")
	}
	pass("serial, lifetime and AKI")
	r.Serial = leaf.SerialNumber.Text(16)

	if err := handshake(crtPEM, key, roots); err != nil {
		return failed("TLS handshake with the issued certificate: %v", err)
	}
	pass("crypto/tls handshake with the issued certificate")
	r.OK = true
	return r
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// handshake serves the issued certificate as apid would and connects to it as talosctl would
// verify a node: RootCAs from ca, server name the node's IP.
func handshake(crtPEM []byte, key crypto.Signer, roots *x509.CertPool) error {
	block, _ := pem.Decode(crtPEM)
	cert := tls.Certificate{Certificate: [][]byte{block.Bytes}, PrivateKey: key}
	listener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return err
	}
	defer listener.Close()
	done := make(chan error, 1)
	go func() {
		c, err := listener.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		done <- c.(*tls.Conn).Handshake()
	}()
	client, err := tls.Dial("tcp", listener.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		return err
	}
	client.Close()
	return <-done
}
