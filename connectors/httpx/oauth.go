package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The OAuth2 authentication modes.
const (
	// AuthClientCredentials signs in as an application (client id and secret),
	// as Dynamics 365 / Dataverse application users do.
	AuthClientCredentials AuthMode = "oauth2"
	// AuthDeviceCode signs in as a person through the OAuth2 device code flow,
	// for accounts with multi-factor authentication; later runs use the
	// refresh token it returns.
	AuthDeviceCode AuthMode = "devicecode"
)

// OAuth configures AuthClientCredentials and AuthDeviceCode.
type OAuth struct {
	// TokenURL is the token endpoint, e.g. AzureTokenURL(tenant).
	TokenURL string
	// DeviceAuthURL is the device authorization endpoint (AuthDeviceCode only).
	DeviceAuthURL string
	// ClientID identifies the application; ClientSecret is its secret (client credentials).
	ClientID, ClientSecret string
	// Scopes are asked for, e.g. "https://org.crm.dynamics.com/.default".
	Scopes []string
	// RefreshToken, when set, signs in without a new device code.
	RefreshToken string
	// OnDeviceCode shows the person who must sign in where to go and which
	// code to enter; required for AuthDeviceCode without a refresh token.
	OnDeviceCode func(verificationURI, userCode string, expires time.Time)
	// OnRefreshToken receives every new refresh token, to be kept as a secret.
	OnRefreshToken func(refreshToken string)
}

// AzureTokenURL is the Microsoft Entra ID (Azure AD) v2 token endpoint of tenant
// (a tenant id or domain; "organizations" for any work account).
func AzureTokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"
}

// AzureDeviceAuthURL is the Microsoft Entra ID device authorization endpoint of tenant.
func AzureDeviceAuthURL(tenant string) string {
	return "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/devicecode"
}

// ErrSignIn wraps every failure to obtain an OAuth2 token.
var ErrSignIn = errors.New("cannot sign in")

// tokenCache holds the current access token and fetches a new one when it
// expires or is invalidated. It is safe for concurrent use: one fetch at a time.
type tokenCache struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	fetch func(ctx context.Context) (*oauth2.Token, error)
}

// token returns a valid access token, fetching one when needed.
func (c *tokenCache) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Valid() {
		return c.tok.AccessToken, nil
	}
	tok, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	if tok == nil || tok.AccessToken == "" {
		return "", fmt.Errorf("%w: the token endpoint returned no access token", ErrSignIn)
	}
	c.tok = tok
	return tok.AccessToken, nil
}

// invalidate forgets the token used when it is still the current one, so
// that the next request fetches a new one.
func (c *tokenCache) invalidate(used string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok.AccessToken == used {
		c.tok = nil
	}
}

// newTokenCache builds the token cache for mode; client sends the token requests.
func newTokenCache(mode AuthMode, o OAuth, client *http.Client) (*tokenCache, error) {
	if o.TokenURL == "" {
		return nil, fmt.Errorf("%w: no token URL: set the tenant or the token URL", ErrSignIn)
	}
	if o.ClientID == "" {
		return nil, fmt.Errorf("%w: no client id: set the application (client) id", ErrSignIn)
	}
	withClient := func(ctx context.Context) context.Context {
		return context.WithValue(ctx, oauth2.HTTPClient, client)
	}
	switch mode {
	case AuthClientCredentials:
		cc := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL, Scopes: o.Scopes}
		return &tokenCache{fetch: func(ctx context.Context) (*oauth2.Token, error) {
			tok, err := cc.Token(withClient(ctx))
			if err != nil {
				return nil, fmt.Errorf("%w at %s with client id %s: check the tenant, client id and client secret: %s",
					ErrSignIn, RedactURL(o.TokenURL), o.ClientID, tokenError(err))
			}
			return tok, nil
		}}, nil
	case AuthDeviceCode:
		conf := &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
			Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, DeviceAuthURL: o.DeviceAuthURL, AuthStyle: oauth2.AuthStyleInParams}}
		d := &deviceFlow{conf: conf, o: o, refresh: o.RefreshToken}
		return &tokenCache{fetch: func(ctx context.Context) (*oauth2.Token, error) { return d.token(withClient(ctx)) }}, nil
	}
	return nil, fmt.Errorf("%w: unknown OAuth2 mode %q", ErrSignIn, mode)
}

// deviceFlow obtains tokens with a refresh token, or through a new device
// code sign-in when it has none or the refresh token was refused.
type deviceFlow struct {
	conf    *oauth2.Config
	o       OAuth
	refresh string
}

func (d *deviceFlow) token(ctx context.Context) (*oauth2.Token, error) {
	if d.refresh != "" {
		tok, err := d.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: d.refresh}).Token()
		if err == nil {
			d.keep(tok)
			return tok, nil
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || d.o.OnDeviceCode == nil {
			return nil, fmt.Errorf("%w at %s with the stored refresh token: sign in again: %s", ErrSignIn, RedactURL(d.o.TokenURL), tokenError(err))
		}
		d.refresh = "" // refused: sign in anew below
	}
	if d.o.DeviceAuthURL == "" {
		return nil, fmt.Errorf("%w: no device authorization URL: set the tenant or the device URL", ErrSignIn)
	}
	if d.o.OnDeviceCode == nil {
		return nil, fmt.Errorf("%w: a device code sign-in needs someone to enter the code: run it from the app or sign in once there to store a refresh token", ErrSignIn)
	}
	da, err := d.conf.DeviceAuth(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: ask %s for a device code: %s", ErrSignIn, RedactURL(d.o.DeviceAuthURL), tokenError(err))
	}
	uri := da.VerificationURIComplete
	if uri == "" {
		uri = da.VerificationURI
	}
	d.o.OnDeviceCode(uri, da.UserCode, da.Expiry)
	tok, err := d.conf.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, fmt.Errorf("%w: wait for the device code sign-in: %s", ErrSignIn, tokenError(err))
	}
	d.keep(tok)
	return tok, nil
}

// keep remembers a new refresh token and hands it to OnRefreshToken.
func (d *deviceFlow) keep(tok *oauth2.Token) {
	if tok.RefreshToken == "" || tok.RefreshToken == d.refresh {
		return
	}
	d.refresh = tok.RefreshToken
	if d.o.OnRefreshToken != nil {
		d.o.OnRefreshToken(tok.RefreshToken)
	}
}

// tokenError describes a token endpoint failure by its OAuth2 error code and
// description, never by the response body, which may echo secrets.
func tokenError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		parts := []string{}
		if re.Response != nil {
			parts = append(parts, re.Response.Status)
		}
		if re.ErrorCode != "" {
			parts = append(parts, re.ErrorCode)
		}
		if re.ErrorDescription != "" {
			parts = append(parts, excerpt(re.ErrorDescription))
		}
		if len(parts) > 0 {
			return RedactText(strings.Join(parts, ": "))
		}
	}
	return RedactText(err.Error())
}
