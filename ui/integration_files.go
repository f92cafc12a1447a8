package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/meta"
)

// onUpdateSchema reads the selected integration's schema again and tells what changed.
func (sc *integrationsScreen) onUpdateSchema() {
	in, ok := sc.current()
	if !ok {
		return
	}
	bar := widget.NewProgressBarInfinite()
	ctx, cancel := context.WithTimeout(sc.shell.ctx(), catalogTimeout)
	progress := dialog.NewCustom("Update schema", "Cancel",
		container.NewVBox(widget.NewLabel(fmt.Sprintf("Reading the schema of %q…", in.Name)), bar), sc.shell.win)
	progress.SetOnClosed(cancel)
	sc.shell.track(progress, nil, nil)
	go func() {
		defer cancel()
		diff, err := sc.shell.svc.UpdateSchema(ctx, in.Name)
		fyne.Do(func() {
			cancelled := ctx.Err() == context.Canceled
			bar.Stop()
			progress.Hide()
			if cancelled {
				return
			}
			if err != nil {
				sc.shell.showError("Could not update the schema of "+in.Name, err,
					"Check the settings with Edit and Test connection, then try again; the cached schema is kept meanwhile.")
				return
			}
			sc.shell.inform("Schema of "+in.Name+" updated", diffText(diff))
			sc.reload()
		})
	}()
}

// diffText says what a schema update changed, or that nothing did.
func diffText(d meta.SchemaDiff) string {
	if d.Empty() {
		return "Nothing changed since the last read."
	}
	return strings.TrimSpace(d.String())
}

// onExport writes the selected integration to an integration file the admin picks.
func (sc *integrationsScreen) onExport() {
	in, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.saveAs("Export integration "+in.Name, sc.shell.exportFolder(), in.Name+".json",
		func(ctx context.Context, w io.Writer) error { return sc.exportTo(ctx, in.Name, w) },
		func(path string) {
			sc.shell.inform("Exported", fmt.Sprintf("Wrote %s to %s.\nSecrets are not in the file: set them again after importing it elsewhere.", in.Name, path))
		})
}

// exportTo writes the integration called name as an integration file to w;
// it runs off the UI goroutine.
func (sc *integrationsScreen) exportTo(ctx context.Context, name string, w io.Writer) error {
	return sc.shell.svc.ExportFile(ctx, name, w)
}

// onImport reads an integration file the admin picks into the workspace.
func (sc *integrationsScreen) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			sc.shell.showError("Could not open the file", err, "Pick the file again, or check that it can be read.")
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		sc.importFrom(r)
	}, sc.shell.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// importFrom imports the integration file r holds and lists the result. An
// integration file over an existing integration is imported only once the
// admin says so; an import never starts a run (its schedules count from now).
// The file is checked and imported off the UI goroutine, Import disabled meanwhile.
func (sc *integrationsScreen) importFrom(r io.Reader) {
	data, err := io.ReadAll(r)
	if err != nil {
		sc.shell.showError("Could not read the integration file", err, "Pick the file again, or check that it can be read.")
		return
	}
	svc := sc.shell.svc
	sc.importBtn.Disable()
	act(sc.shell, func(ctx context.Context) (admin.FilePeek, error) { return svc.PeekFile(ctx, data) }, func(peek admin.FilePeek, err error) {
		if err != nil {
			sc.importBtn.Enable()
			sc.shell.showError("Could not import the integration file", err,
				"Correct the file where the message says (docs/integration-file.md describes it) and import it again.")
			return
		}
		if !peek.Exists {
			sc.importData(data)
			return
		}
		sc.askReplace(peek, data)
	})
}

// askReplace asks before the integration file data replaces the integration peek names.
func (sc *integrationsScreen) askReplace(peek admin.FilePeek, data []byte) {
	msg := fmt.Sprintf("The workspace already has an integration called %q (%s, %s).\n"+
		"The file's settings, %s and %s replace them. Its secrets, run history and local data are kept.\n"+
		"Nothing runs now: a schedule the file adds or changes counts from the import.",
		peek.Name, plural(peek.OldEntities, "entity mapping", "entity mappings"), plural(peek.OldSchedules, "schedule", "schedules"),
		plural(peek.Entities, "entity mapping", "entity mappings"), plural(peek.Schedules, "schedule", "schedules"))
	sc.shell.lastPrompt = msg
	sc.shell.ask("Replace integration "+peek.Name+"?", msg, "Replace", true, func(yes bool) {
		if !yes {
			sc.importBtn.Enable()
			return
		}
		sc.importData(data)
	})
}

// importData imports the integration file data off the UI goroutine and lists the result.
func (sc *integrationsScreen) importData(data []byte) {
	svc := sc.shell.svc
	act(sc.shell, func(ctx context.Context) (admin.ImportResult, error) {
		return svc.ImportFile(ctx, bytes.NewReader(data))
	}, func(res admin.ImportResult, err error) {
		sc.importBtn.Enable()
		if err != nil {
			sc.shell.showError("Could not import the integration file", err,
				"Correct the file where the message says (docs/integration-file.md describes it) and import it again.")
			return
		}
		sc.reloadSelecting(res.Integration) // the load tells the plan its schedules too
		msg := widget.NewLabel(strings.TrimSpace(res.Summary()))
		msg.Wrapping = fyne.TextWrapWord
		body := container.NewVScroll(msg)
		body.SetMinSize(fyne.NewSize(520, 160))
		sc.shell.showCustom("Integration imported", "Close", body)
	})
}
