package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// RetryAfter parses a Retry-After header value, given in seconds or as an
// HTTP date, into a wait from now. It returns false when the value is empty
// or malformed; a date in the past gives a wait of 0.
func RetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		const maxSecs = int64(24 * time.Hour / time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	}
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// retryAfterFunc tells resty how long to wait: what Retry-After asks for
// (resty caps it at MaxRetryWait), else 0, which makes resty back off
// exponentially with jitter.
func retryAfterFunc(now func() time.Time) resty.RetryAfterFunc {
	return func(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
		if resp == nil || resp.RawResponse == nil {
			return 0, nil
		}
		if d, ok := RetryAfter(resp.Header().Get("Retry-After"), now()); ok && d > 0 {
			return d, nil
		}
		return 0, nil
	}
}
