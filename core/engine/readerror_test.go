package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/store"
)

// failingReads is newSystem whose reads fail with err.
type failingReads struct {
	*memSystem
	err error
}

func (f failingReads) ReadPage(context.Context, connector.Query, string) (connector.Page, error) {
	return connector.Page{}, f.err
}

// TestReadErrorNamesTheEntityOnce: a failed read names its entity once,
// whether the connector named it (a connector.ReadError) or not.
func TestReadErrorNamesTheEntityOnce(t *testing.T) {
	unavailable := errors.New("503 Service Unavailable")
	for _, err := range []error{unavailable, connector.ReadErr("Accounts", unavailable)} {
		st := newWorkspace(t)
		in := mapping.Integration{Name: "crm", Connector: "mem", Entities: crm().Entities[1:]} // Accounts only
		_, got := (&Engine{Workspace: store.Ports[Tx](st)}).Run(context.Background(), failingReads{newSystem(), err}, Options{Integration: in, Direction: Import})
		var re *connector.ReadError
		if !errors.As(got, &re) || re.Entity != "Accounts" || !errors.Is(got, unavailable) {
			t.Errorf("connector error %v: Run() = %v, want a ReadError of Accounts wrapping it", err, got)
			continue
		}
		if n := strings.Count(got.Error(), "read Accounts"); n != 1 {
			t.Errorf("connector error %v: %q names the entity %d times", err, got, n)
		}
	}
}
