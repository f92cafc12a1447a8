package connector

import (
	"errors"
	"testing"
)

func TestReadErr(t *testing.T) {
	if ReadErr("Accounts", nil) != nil {
		t.Error("ReadErr of nil is not nil")
	}
	cause := errors.New("503 Service Unavailable")
	err := ReadErr("Accounts", cause)
	var re *ReadError
	if err.Error() != "read Accounts: 503 Service Unavailable" || !errors.Is(err, cause) || !errors.As(err, &re) || re.Entity != "Accounts" {
		t.Errorf("ReadErr = %q (%#v)", err, err)
	}
}
