package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// cleanable returns the findings that stop a run (warnings left out).
func cleanable(fs []mapping.Finding) []mapping.Finding {
	var out []mapping.Finding
	for _, f := range fs {
		if !f.Warning {
			out = append(out, f)
		}
	}
	return out
}

// showCleanUp tells what the mapping names that no longer exists, with the
// choice to clean up (remove those mappings) or to pick another entity or
// field by hand.
func (sc *mapMetadataScreen) showCleanUp(findings []mapping.Finding) {
	var lines []string
	removable := 0
	for _, f := range findings {
		mark := "•"
		if f.CleanUp {
			removable++
		}
		lines = append(lines, mark+" "+f.Msg)
	}
	intro := widget.NewLabel(fmt.Sprintf("The mapping of %q names entities or fields that no longer exist in the external or the local schema.\n"+
		"Clean Up removes the %d mappings that name them; Pick another lets you choose replacements by hand.", sc.in.Name, removable))
	intro.Wrapping = fyne.TextWrapWord
	list := widget.NewLabel(strings.Join(lines, "\n"))
	list.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(640, 180))
	d := dialog.NewCustomWithoutButtons("The mapping needs attention", container.NewBorder(intro, nil, nil, nil, scroll), sc.shell.win)
	clean := widget.NewButtonWithIcon("Clean Up", theme.DeleteIcon(), func() {
		d.Hide()
		svc, name := sc.shell.svc, sc.in.Name
		sc.setSaving(true)
		act(sc.shell, func(ctx context.Context) (admin.CheckResult, error) { return svc.CleanUp(ctx, name) }, func(res admin.CheckResult, err error) {
			sc.setSaving(false)
			if err != nil {
				sc.shell.showError("Could not clean up the mapping", err, "Pick replacements by hand on this page, then Save.")
				return
			}
			sc.afterSave(fmt.Sprintf("Cleaned up %d mappings; %d findings left", len(res.CleanedUp), len(cleanable(res.Findings))))
		})
	})
	clean.Importance = widget.DangerImportance
	if removable == 0 {
		clean.Disable()
	}
	pick := widget.NewButtonWithIcon("Pick another", theme.DocumentCreateIcon(), func() {
		d.Hide()
		if ext, ok := sc.findExternal(findings[0].Entity); ok {
			sc.selectName(ext.Name)
		}
	})
	d.SetButtons([]fyne.CanvasObject{pick, clean})
	sc.shell.track(d, d.Hide, pick.OnTapped)
	sc.cleanup = d
}

// findExternal returns the external entity called name from the catalog.
func (sc *mapMetadataScreen) findExternal(name string) (meta.Entity, bool) {
	return meta.FindEntity(sc.catalog, name)
}
