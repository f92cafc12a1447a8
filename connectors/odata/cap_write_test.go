package odata

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// readTicket reads the ticket with key id from the server, nil when it does not exist.
func readTicket(t *testing.T, c *Client, id string) meta.Record {
	t.Helper()
	recs, _ := conntest.ReadAll(context.Background(), t, c, connector.Query{Entity: "Tickets", Filter: "ID eq " + id})
	if len(recs) == 0 {
		return nil
	}
	return recs[0]
}

func TestCAPWriteETags(t *testing.T) {
	c := ownClient(t, nil)
	ctx := context.Background()
	cust, err := c.Write(ctx, "Customers", connector.Create, []meta.Record{{"name": "Northwind Traders"}})
	if err != nil || cust[0].Err != nil {
		t.Fatal(err, cust[0].Err)
	}

	// Create: the Guid key is made locally and the lookup goes into the foreign key.
	fixed := "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001"
	c.newGUID = func() string { return fixed }
	res, err := c.Write(ctx, "Tickets", connector.Create, []meta.Record{{"subject": "Printer on fire", "points": int64(3),
		"amount": "12.50", "due": "2025-02-28", "account": cust[0].Key}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	if res[0].Key != fixed || res[0].ETag == "" {
		t.Fatalf("create result = %+v, want key %s and an ETag", res[0], fixed)
	}
	got := readTicket(t, c, fixed)
	if got["subject"] != "Printer on fire" || got["due"] != "2025-02-28" || got["account_ID"] != cust[0].Key || got["account"] != cust[0].Key ||
		fmt.Sprint(got["amount"]) != "12.5" || got[connector.ETagKey] != res[0].ETag {
		t.Fatalf("server holds %v", got)
	}
	// A retried create with the same local key cannot duplicate: the server refuses it.
	res2, _ := c.Write(ctx, "Tickets", connector.Create, []meta.Record{{"ID": fixed, "subject": "Printer on fire"}})
	if res2[0].Err == nil {
		t.Error("a second create with the same key succeeded")
	}

	stale := got[connector.ETagKey]
	tests := []struct {
		name    string
		op      connector.Op
		rec     meta.Record
		wantErr error
		check   func(meta.Record) bool
	}{
		{"update with the current ETag", connector.Update, meta.Record{"ID": fixed, "status": "working", connector.ETagKey: stale}, nil,
			func(r meta.Record) bool { return r != nil && r["status"] == "working" }},
		{"update with a stale ETag is a conflict", connector.Update, meta.Record{"ID": fixed, "status": "lost", connector.ETagKey: stale}, connector.ErrConflict,
			func(r meta.Record) bool { return r["status"] == "working" }},
		{"delete with a stale ETag is a conflict", connector.Delete, meta.Record{"ID": fixed, connector.ETagKey: stale}, connector.ErrConflict,
			func(r meta.Record) bool { return r != nil }},
		{"update without an ETag overwrites (If-Match: *)", connector.Update, meta.Record{"ID": fixed, "points": int64(8), "account": nil}, nil,
			func(r meta.Record) bool { return r["points"] == int64(8) && r["account_ID"] == nil }},
		{"delete without an ETag", connector.Delete, meta.Record{"ID": fixed}, nil,
			func(r meta.Record) bool { return r == nil }},
		{"update of a deleted record", connector.Update, meta.Record{"ID": fixed, "points": int64(1)}, connector.ErrDeleted,
			func(r meta.Record) bool { return r == nil }},
		{"delete of a deleted record", connector.Delete, meta.Record{"ID": fixed}, connector.ErrDeleted,
			func(r meta.Record) bool { return r == nil }},
		{"upsert creates", connector.Upsert, meta.Record{"ID": fixed, "subject": "Back again"}, nil,
			func(r meta.Record) bool { return r != nil && r["subject"] == "Back again" }},
		{"upsert updates", connector.Upsert, meta.Record{"ID": fixed, "subject": "Updated by upsert"}, nil,
			func(r meta.Record) bool {
				return r != nil && r["subject"] == "Updated by upsert" && r["status"] == "open"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.op == connector.Update && tt.rec[connector.ETagKey] != nil && tt.wantErr == nil {
				tt.rec[connector.ETagKey] = readTicket(t, c, fixed)[connector.ETagKey]
			}
			res, err := c.Write(ctx, "Tickets", tt.op, []meta.Record{tt.rec})
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(res[0].Err, tt.wantErr) || (tt.wantErr == nil) != (res[0].Err == nil) {
				t.Fatalf("error = %v, want %v", res[0].Err, tt.wantErr)
			}
			if tt.op == connector.Upsert && res[0].Created != strings.Contains(tt.name, "creates") {
				t.Errorf("Created = %v", res[0].Created)
			}
			if after := readTicket(t, c, fixed); !tt.check(after) {
				t.Errorf("server holds %v", after)
			}
		})
	}
}

func TestCAPBatch(t *testing.T) {
	for _, format := range []string{BatchJSON, BatchMultipart, BatchNone} {
		t.Run(format, func(t *testing.T) {
			c := ownClient(t, spec.Values{"batch": format})
			ctx := context.Background()
			tag := "batch-" + format + "-" + meta.NewGUID()[:8]
			recs := make([]meta.Record, 0, 150)
			for i := range 150 {
				recs = append(recs, meta.Record{"subject": fmt.Sprintf("%s %03d", tag, i), "points": int64(i)})
			}
			recs[7] = meta.Record{"subject": nil}                    // not null: refused
			recs[120] = meta.Record{"subject": "x", "colour": "red"} // unknown field: refused before sending
			res, err := c.Write(ctx, "Tickets", connector.Create, recs)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if bad := i == 7 || i == 120; bad != (r.Err != nil) {
					t.Fatalf("record %d: error %v", i, r.Err)
				}
			}
			if !strings.Contains(res[120].Err.Error(), `field "colour" is not in entity Tickets`) {
				t.Errorf("record 120 error = %v", res[120].Err)
			}
			held, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Tickets", Filter: "startswith(subject,'" + tag + "')"})
			if len(held) != 148 {
				t.Fatalf("server holds %d tickets of this batch, want 148", len(held))
			}

			// Update all and delete them again in batches; one of the deletes names a missing record.
			upd := make([]meta.Record, len(held))
			for i, r := range held {
				upd[i] = meta.Record{"ID": r["ID"], "status": "closed", connector.ETagKey: r[connector.ETagKey]}
			}
			upd[3][connector.ETagKey] = `W/"1999-01-01T00:00:00.000Z"`
			res, err = c.Write(ctx, "Tickets", connector.Update, upd)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if (i == 3) != errors.Is(r.Err, connector.ErrConflict) || (i != 3 && r.Err != nil) {
					t.Fatalf("update %d: %v", i, r.Err)
				}
			}
			del := append(held, meta.Record{"ID": "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1dffff"})
			for i := range del[:len(held)] {
				del[i] = meta.Record{"ID": del[i]["ID"]}
			}
			res, err = c.Write(ctx, "Tickets", connector.Delete, del)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if last := i == len(del)-1; last != errors.Is(r.Err, connector.ErrDeleted) || (!last && r.Err != nil) {
					t.Fatalf("delete %d: %v", i, r.Err)
				}
			}
			if held, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Tickets", Filter: "startswith(subject,'" + tag + "')"}); len(held) != 0 {
				t.Errorf("server still holds %d tickets of this batch", len(held))
			}
		})
	}
}
