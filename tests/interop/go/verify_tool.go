// Command verify_tool checks a batch of issued certificates with Go's crypto/x509: each must parse,
// chain to one of the CAs for server auth, and carry the contract's profile. Usage:
// verify_tool CA_FILE LEAVES_FILE; prints {"verified": N} or the first failure and exits 1.
package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/ioutil"
	"os"
	"time"
)

func main() {
	caPEM, err := ioutil.ReadFile(os.Args[1])
	check(err)
	leavesPEM, err := ioutil.ReadFile(os.Args[2])
	check(err)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		check(fmt.Errorf("no CA certificate"))
	}
	verified := 0
	for rest := leavesPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		check(err)
		// Verified at its own NotBefore (plus a second): tests issue certificates dated in the future.
		options := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, CurrentTime: leaf.NotBefore.Add(time.Second)}
		if _, err := leaf.Verify(options); err != nil {
			check(fmt.Errorf("certificate %d (serial %x): %v", verified, leaf.SerialNumber, err))
		}
		if leaf.IsCA || leaf.KeyUsage != x509.KeyUsageDigitalSignature || len(leaf.Subject.Organization) != 0 {
			check(fmt.Errorf("certificate %d (serial %x): profile", verified, leaf.SerialNumber))
		}
		verified++
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]int{"verified": verified})
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify_tool:", err)
		os.Exit(1)
	}
}
