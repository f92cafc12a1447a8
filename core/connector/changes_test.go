package connector

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"switchyard/core/meta"
)

func TestKeyString(t *testing.T) {
	tests := []struct {
		rec     meta.Record
		key     []string
		want    string
		wantErr bool
	}{
		{meta.Record{"id": "a1", "name": "x"}, []string{"id"}, "a1", false},
		{meta.Record{"OrderID": int64(7), "ProductID": int64(11)}, []string{"OrderID", "ProductID"}, "OrderID=7,ProductID=11", false},
		{meta.Record{"id": nil}, []string{"id"}, "", true},
		{meta.Record{"OrderID": int64(7)}, []string{"OrderID", "ProductID"}, "", true},
		{meta.Record{"id": "a1"}, nil, "", true},
	}
	for _, tt := range tests {
		got, err := KeyString(tt.rec, tt.key)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("KeyString(%v, %v) = %q, %v; want %q, error %v", tt.rec, tt.key, got, err, tt.want, tt.wantErr)
		}
	}
	if got := BusinessFields(meta.Record{ETagKey: `W/"1"`, "b": 1, "a": 2}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("BusinessFields = %v", got)
	}
}

func TestContextHooks(t *testing.T) {
	ctx := context.Background()
	Logger(ctx).Info("discarded") // no logger: must not panic
	if SecretSaverFrom(ctx) != nil {
		t.Error("a bare context carries a secret saver")
	}
	var buf bytes.Buffer
	saved := ""
	ctx = WithLogger(ctx, slog.New(slog.NewTextHandler(&buf, nil)))
	ctx = WithSecretSaver(ctx, func(_ context.Context, k, v string) error { saved = k + "=" + v; return nil })
	Logger(ctx).Warn("enter the code ABCD")
	if err := SecretSaverFrom(ctx)(ctx, "refreshtoken", "r1"); err != nil || saved != "refreshtoken=r1" {
		t.Errorf("saver: %v, saved %q", err, saved)
	}
	if !strings.Contains(buf.String(), "enter the code ABCD") {
		t.Errorf("log = %q", buf.String())
	}
}
