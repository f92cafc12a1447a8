package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
)

// conflictFor returns the refusal err holds when a save was refused because
// another save of the integration changed it in between (another window,
// another admin, a headless import), nil when it is another error. An
// integration deleted in between is not one: the error then says so as any
// failed save does.
func conflictFor(err error) *admin.ConflictError {
	var ce *admin.ConflictError
	if errors.As(err, &ce) && ce.Current.Version.Number != 0 {
		return ce
	}
	return nil
}

// showConflict shows what the other save changed, with the choices: Reload
// drops the draft and calls reload with the integration as stored now; Keep
// editing (the default) keeps the draft, which a later Save still cannot
// write over the other save: the admin reloads and makes the changes again.
// Nothing is overwritten without the admin seeing what.
func (s *Shell) showConflict(ce *admin.ConflictError, reload func(current admin.Loaded)) {
	s.lastError = "Saved meanwhile: " + ce.Error()
	keep := choice{label: "Keep editing", icon: theme.DocumentCreateIcon(), imp: widget.HighImportance}
	v := ce.Current.Version
	var b strings.Builder
	fmt.Fprintf(&b, "Another save (another window, another admin or an import) changed %s at %s: it is now version %d, you started from version %d. Your draft was not saved.\n\n",
		ce.Name, v.SavedAt.Local().Format("15:04"), v.Number, ce.From)
	if len(ce.Changes) > 0 {
		b.WriteString("What changed:\n")
		for _, c := range ce.Changes {
			fmt.Fprintf(&b, "•  %s\n", c)
		}
		b.WriteString("\n")
	}
	b.WriteString("Reload drops your draft and shows the integration as saved now. Keep editing keeps your draft: to save it, note your changes, Reload and make them again.")
	s.choose(ce.Name+" was changed by another save", b.String(), nil,
		choice{label: "Reload", icon: theme.ViewRefreshIcon(), imp: widget.DangerImportance, do: func() { reload(ce.Current) }},
		keep)
}
