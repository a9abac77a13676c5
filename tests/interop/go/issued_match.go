// Command issued_match checks, with Go's crypto/x509, that each issued certificate parses, is
// signed by the CA, and certifies what its CSR asked for: the same SubjectPublicKeyInfo, the CSR's
// subject without Organization and emailAddress (attribute by attribute, encodings kept, in order), and the CSR's
// DNS and IP SANs. Usage: issued_match < {"caPem": "...", "pairs": [{"csr": PEM, "crt": PEM}]};
// prints {"checked": N, "failures": ["..."]}.
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"reflect"
)

type input struct {
	CaPem string `json:"caPem"`
	Pairs []struct {
		Csr string `json:"csr"`
		Crt string `json:"crt"`
	} `json:"pairs"`
}

type atv struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// The SET suffix makes encoding/asn1 read a SET OF.
type rdnSET []atv

// Never issued: Organization (contract §3.3) and emailAddress (§3.4).
var dropped = []asn1.ObjectIdentifier{{2, 5, 4, 10}, {1, 2, 840, 113549, 1, 9, 1}}

func isDropped(oid asn1.ObjectIdentifier) bool {
	for _, d := range dropped {
		if oid.Equal(d) {
			return true
		}
	}
	return false
}

func attributes(raw []byte, drop bool) ([]string, error) {
	var rdns []rdnSET
	rest, err := asn1.Unmarshal(raw, &rdns)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("trailing bytes after Name")
	}
	out := []string{}
	for _, rdn := range rdns {
		kept := ""
		for _, a := range rdn {
			if drop && isDropped(a.Type) {
				continue
			}
			kept += fmt.Sprintf("%s=%x+", a.Type, a.Value.FullBytes)
		}
		if kept != "" {
			out = append(out, kept)
		}
	}
	return out, nil
}

func decode(text string) []byte {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil
	}
	return block.Bytes
}

func check(caPem, csrPem, crtPem string) error {
	ca, err := x509.ParseCertificate(decode(caPem))
	if err != nil {
		return fmt.Errorf("CA: %v", err)
	}
	crt, err := x509.ParseCertificate(decode(crtPem))
	if err != nil {
		return fmt.Errorf("Go cannot parse the certificate: %v", err)
	}
	if err := crt.CheckSignatureFrom(ca); err != nil {
		return fmt.Errorf("not signed by the CA: %v", err)
	}
	csr, err := x509.ParseCertificateRequest(decode(csrPem))
	if err != nil {
		return fmt.Errorf("Go cannot parse the CSR that was accepted: %v", err)
	}
	if !bytes.Equal(crt.RawSubjectPublicKeyInfo, csr.RawSubjectPublicKeyInfo) {
		return fmt.Errorf("public key differs from the CSR's")
	}
	want, err := attributes(csr.RawSubject, true)
	if err != nil {
		return fmt.Errorf("CSR subject: %v", err)
	}
	got, err := attributes(crt.RawSubject, false)
	if err != nil {
		return fmt.Errorf("certificate subject: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("subject %v, want %v (the CSR's without O and E)", got, want)
	}
	if fmt.Sprint(crt.DNSNames) != fmt.Sprint(csr.DNSNames) {
		return fmt.Errorf("DNS SANs %q, want %q", crt.DNSNames, csr.DNSNames)
	}
	if len(crt.IPAddresses) != len(csr.IPAddresses) {
		return fmt.Errorf("IP SANs %v, want %v", crt.IPAddresses, csr.IPAddresses)
	}
	for i, ip := range crt.IPAddresses {
		if !ip.Equal(csr.IPAddresses[i]) {
			return fmt.Errorf("IP SANs %v, want %v", crt.IPAddresses, csr.IPAddresses)
		}
	}
	if len(crt.EmailAddresses)+len(crt.URIs) > 0 {
		return fmt.Errorf("email or URI SANs copied")
	}
	return nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	failures := []string{}
	for i, pair := range in.Pairs {
		if err := check(in.CaPem, pair.Csr, pair.Crt); err != nil {
			failures = append(failures, fmt.Sprintf("answer %d: %v", i, err))
		}
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"checked": len(in.Pairs), "failures": failures})
}
