package odata

import (
	"errors"
	"fmt"
	"net"

	"switchyard/connectors/httpx"
)

// Errors a caller can branch on; the errors returned wrap one of them and the cause.
var (
	// ErrUnreachable: no connection could be made to the service.
	ErrUnreachable = errors.New("cannot reach the OData service")
	// ErrUnauthorized: the service refused the credentials (401).
	ErrUnauthorized = errors.New("the OData service refused the credentials")
	// ErrForbidden: the credentials were accepted but may not read the service (403).
	ErrForbidden = errors.New("the OData service refused access")
	// ErrNotFound: nothing was found at the service root URL (404).
	ErrNotFound = errors.New("no OData service found")
	// ErrNotOData: something answered, but not an OData v4 service.
	ErrNotOData = errors.New("not an OData v4 service")
)

// explain turns an HTTP failure into an error that says what to check.
func (c *Client) explain(err error) error {
	root := httpx.RedactURL(c.settings.URL)
	var he *httpx.Error
	if !errors.As(err, &he) {
		return err
	}
	switch he.Status {
	case 0:
		if he.Err != nil && isNetError(he.Err) {
			return fmt.Errorf("%w at %s: check the URL and that the service is running: %w", ErrUnreachable, root, err)
		}
		return err
	case 401:
		return fmt.Errorf("%w (401 Unauthorized): %s: %w", ErrUnauthorized, c.credentialHint(), err)
	case 403:
		return fmt.Errorf("%w (403 Forbidden): check that the user may read the service: %w", ErrForbidden, err)
	case 404:
		return fmt.Errorf("%w at %s (404 Not Found): check the service root URL: %w", ErrNotFound, root, err)
	}
	return err
}

func (c *Client) credentialHint() string {
	switch c.settings.Auth {
	case AuthBasic:
		return "check the user name and password"
	case AuthBearer:
		return "check the token (it may have expired)"
	case AuthClientCredentials:
		return "a fresh token was refused too: check that the application user exists in the system and has a security role"
	case AuthDeviceCode:
		return "a fresh token was refused too: check that the signed-in user may use the system, or sign in again"
	}
	return "the service needs credentials: choose an authentication"
}

// explainParse turns a $metadata parse failure into an error that says what to check.
func (c *Client) explainParse(url string, err error) error {
	if errors.Is(err, ErrNotCSDL) {
		return fmt.Errorf("%w: the document at %s is not CSDL: check the service root URL: %w", ErrNotOData, httpx.RedactURL(url), err)
	}
	return fmt.Errorf("read $metadata from %s: %w", httpx.RedactURL(url), err)
}

func isNetError(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var ne net.Error
	return errors.As(err, &op) || errors.As(err, &dns) || errors.As(err, &ne)
}
