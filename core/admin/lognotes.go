package admin

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"switchyard/core/connector"
	"switchyard/core/store"
)

// maxNotes bounds the notes a run keeps: a run against a failing service
// retries at most a few times a request, but a long one makes many requests.
const maxNotes = 1000

// noteCollector keeps what the connection logs during a run at level Info and
// above (retries, sign-ins), for the run log: the CLI shows them only with -v.
type noteCollector struct {
	mu      sync.Mutex
	notes   []store.LogNote
	dropped int
	attrs   []slog.Attr
}

// withNotes returns ctx whose connection log also goes to a new collector.
func withNotes(ctx context.Context) (context.Context, *noteCollector) {
	nc := &noteCollector{}
	log := slog.New(slog.NewMultiHandler(connector.Logger(ctx).Handler(), noteHandler{c: nc}))
	return connector.WithLogger(ctx, log), nc
}

// save records the notes collected in the run log of run logID.
func (nc *noteCollector) save(ctx context.Context, st *store.Store, logID int64) {
	nc.mu.Lock()
	notes := nc.notes
	if nc.dropped > 0 {
		notes = append(notes, store.LogNote{At: notes[len(notes)-1].At, Level: "INFO", Text: "… and more notes, left out"})
	}
	nc.mu.Unlock()
	if logID != 0 {
		_ = st.AddLogNotes(context.WithoutCancel(ctx), logID, notes) // the run is done; a note lost is no reason to fail it
	}
}

// noteHandler is the slog.Handler of a noteCollector.
type noteHandler struct {
	c     *noteCollector
	attrs []slog.Attr
}

func (h noteHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h noteHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteByte('=')
		b.WriteString(a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	if len(h.c.notes) >= maxNotes {
		h.c.dropped++
		return nil
	}
	h.c.notes = append(h.c.notes, store.LogNote{At: r.Time.UTC(), Level: r.Level.String(), Text: b.String()})
	return nil
}

func (h noteHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return noteHandler{c: h.c, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h noteHandler) WithGroup(string) slog.Handler { return h }
