package admin

import (
	"context"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// chattyReader logs a retry, as the HTTP client does, then serves one record.
type chattyReader struct{ catalogConnector }

func (chattyReader) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	connector.Logger(ctx).Info("retrying HTTP request", "method", "GET", "status", 503, "attempt", 2)
	connector.Logger(ctx).Debug("HTTP request", "method", "GET") // below Info: not kept
	return connector.Page{Records: []meta.Record{{"ID": int64(1), "name": "a"}}, Total: 1}, nil
}

// TestRunLogKeepsWhatTheConnectionSaid: retries (level Info and above) are
// kept in the run log, although the CLI shows them only with -v.
func TestRunLogKeepsWhatTheConnectionSaid(t *testing.T) {
	ctx := context.Background()
	catalog := crmCatalog()
	svc := newCatalogService(t, &catalog)
	if err := svc.Registry.Add(connector.Info{Name: "chatty", Title: "Chatty", New: func(context.Context, spec.Values) (connector.Connector, error) {
		return chattyReader{catalogConnector{entities: catalog}}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	file := strings.Replace(crmMapping, `"connector": "cat"`, `"connector": "chatty"`, 1)
	if _, err := svc.ImportFile(ctx, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Run(ctx, "crm", RunOptions{Direction: "import", Entities: []string{"Accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	notes, err := svc.Store.LogNotes(ctx, res.LogID)
	if err != nil || len(notes) != 1 || notes[0].Level != "INFO" || !strings.Contains(notes[0].Text, "retrying HTTP request method=GET status=503 attempt=2") {
		t.Errorf("notes %+v, %v", notes, err)
	}
}
