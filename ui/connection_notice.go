package ui

import (
	"context"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// noticeHandler receives what connectors log (core/connector.Logger) while the
// GUI works with them, and shows the admin what needs them: a device-code
// sign-in ("open URL and enter the code …") in a dialog whose text can be
// selected and copied. Other warnings, such as retries, are left to the run log.
type noticeHandler struct {
	show func(msg string)
}

func (h noticeHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h noticeHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "sign in") {
		h.show(r.Message)
	}
	return nil
}

func (h noticeHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h noticeHandler) WithGroup(string) slog.Handler      { return h }

// showSignIn shows a sign-in request from a connector, on the UI goroutine.
func (s *Shell) showSignIn(msg string) {
	fyne.Do(func() {
		text := widget.NewLabel(msg + ".\n\nThe connection goes on by itself once you have signed in.")
		text.Wrapping = fyne.TextWrapWord
		text.Selectable = true
		d := dialog.NewCustom("Sign in to the service", "Close", text, s.win)
		d.Resize(fyne.NewSize(560, 220))
		s.track(d, nil, d.Hide)
		s.lastNotice = msg
	})
}
