package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// NewTransport returns the HTTP transport a Client uses by default: proxies
// from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), TLS 1.2 or newer
// with the server's certificate always verified, and, when caFile names a PEM
// bundle, its certificates trusted in addition to the system's (for services
// behind a company CA or a TLS-inspecting proxy). Verification cannot be
// turned off: a certificate that does not verify is an error to fix, with the
// CA bundle, not to ignore.
func NewTransport(caFile string) (*http.Transport, error) {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   DefaultMaxInFlight + 2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
	if caFile == "" {
		return t, nil
	}
	pool, err := CertPool(caFile)
	if err != nil {
		return nil, err
	}
	t.TLSClientConfig.RootCAs = pool
	return t, nil
}

// CertPool returns the system's trusted certificates plus those of the PEM
// bundle caFile.
func CertPool(caFile string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read CA bundle %s: no such file: give the path of a PEM file with the CA certificates", caFile)
		}
		return nil, fmt.Errorf("read CA bundle %s: %w", caFile, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read CA bundle %s: it holds no PEM certificate (-----BEGIN CERTIFICATE-----): export the CA certificates as PEM", caFile)
	}
	return pool, nil
}
