package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

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
	progress.Show()
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
			dialog.NewInformation("Schema of "+in.Name+" updated", diffText(diff), sc.shell.win).Show()
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
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := sc.exportTo(in.Name, w); err != nil {
			sc.shell.showError("Could not export "+in.Name, err, "Choose a folder you can write to and try again.")
			return
		}
		dialog.NewInformation("Exported", fmt.Sprintf("Wrote %s to %s.\nSecrets are not in the file: set them again after importing it elsewhere.", in.Name, w.URI().Path()), sc.shell.win).Show()
	}, sc.shell.win)
	d.SetFileName(in.Name + ".json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// exportTo writes the integration called name as an integration file to w.
func (sc *integrationsScreen) exportTo(name string, w io.Writer) error {
	return sc.shell.svc.ExportFile(sc.shell.ctx(), name, w)
}

// onImport reads an integration file the admin picks into the workspace.
func (sc *integrationsScreen) onImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		sc.importFrom(r)
	}, sc.shell.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// importFrom imports the integration file r holds and lists the result.
func (sc *integrationsScreen) importFrom(r io.Reader) {
	res, err := sc.shell.svc.ImportFile(sc.shell.ctx(), r)
	if err != nil {
		sc.shell.showError("Could not import the integration file", err,
			"Correct the file where the message says (docs/integration-file.md describes it) and import it again.")
		return
	}
	sc.reload()
	msg := widget.NewLabel(strings.TrimSpace(res.Summary()))
	msg.Wrapping = fyne.TextWrapWord
	body := container.NewVScroll(msg)
	body.SetMinSize(fyne.NewSize(520, 160))
	dialog.NewCustom("Integration imported", "Close", body, sc.shell.win).Show()
}
