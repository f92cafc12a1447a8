package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
)

// editFilter opens the filter editor on the draft's download filter (over
// the external fields, counted by the system when it can) or its upload
// filter (over the local fields, counted in the workspace).
func (p *entityPane) editFilter(dir mapping.Direction) {
	svc, name, ext := p.sc.shell.svc, p.sc.in.Name, p.ext.Name
	if dir == mapping.Upload {
		if p.loc.Name == "" {
			p.setStatus("Pick a local entity first: an upload filter names its fields.", widget.WarningImportance)
			return
		}
		local := p.loc.Name
		count := func(ctx context.Context, text string) (int64, error) { return svc.CountLocal(ctx, local, text) }
		values := func(field string, show func([]string)) { p.recentValues(field, show) }
		p.sc.shell.showFilterDialog(fmt.Sprintf("Upload filter — which %s rows are uploaded", local), p.loc, p.draft.UploadFilter, count, values,
			func(text string) { p.draft.UploadFilter = text; p.updateFilters(); p.setDirty() })
		return
	}
	count := func(ctx context.Context, text string) (int64, error) { return svc.CountExternal(ctx, name, ext, text) }
	values := func(field string, show func([]string)) {
		for _, fm := range p.draft.Fields {
			if fm.External == field && !fm.Disabled && fm.Local != "" {
				p.recentValues(fm.Local, show)
				return
			}
		}
	}
	p.sc.shell.showFilterDialog(fmt.Sprintf("Download filter — which %s records are downloaded", ext), p.ext, p.draft.DownloadFilter, count, values,
		func(text string) { p.draft.DownloadFilter = text; p.updateFilters(); p.setDirty() })
}

// recentValues reads the values the local field holds in the workspace
// (the most frequent first) off the UI goroutine, and shows them in the
// filter editor's value pickers; it shows nothing when it cannot read them.
func (p *entityPane) recentValues(field string, show func([]string)) {
	if p.draft.Local == "" {
		return
	}
	svc, local := p.sc.shell.svc, p.draft.Local
	act(p.sc.shell, func(ctx context.Context) ([]string, error) { return svc.FieldValues(ctx, local, field, 20) },
		func(vs []string, err error) {
			if err == nil {
				show(vs)
			}
		})
}

// onExport saves the entity's mapping to a file the admin picks.
func (p *entityPane) onExport() {
	p.sc.shell.saveAs("Export the mapping of "+p.ext.Name, p.sc.shell.exportFolder(), mapping.LocalName(p.ext.Name)+".entity.json",
		p.exporter(),
		func(path string) {
			p.setStatus("Exported the mapping of "+p.ext.Name+" to "+path, widget.SuccessImportance)
		})
}

// exporter returns what writes the saved mapping of the entity shown to w,
// off the UI goroutine.
func (p *entityPane) exporter() func(ctx context.Context, w io.Writer) error {
	svc, name, ext := p.sc.shell.svc, p.sc.in.Name, p.ext.Name
	return func(ctx context.Context, w io.Writer) error { return svc.ExportEntity(ctx, name, ext, w) }
}

// onImport reads an entity mapping file the admin picks into the
// integration (saved at once, as an import is), after asking about unsaved
// changes of the mapping shown.
func (p *entityPane) onImport() {
	p.sc.guard(p.pickImport, nil)
}

func (p *entityPane) pickImport() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.sc.shell.showError("Could not open the file", err, "Pick the file again, or check that it can be read.")
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		p.importFrom(r)
	}, p.sc.shell.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// importFrom imports the entity mapping r holds, off the UI goroutine with
// Import entity disabled meanwhile, and shows it.
func (p *entityPane) importFrom(r io.Reader) {
	data, err := io.ReadAll(r)
	if err != nil {
		p.importFailed(err)
		return
	}
	svc, name := p.sc.shell.svc, p.sc.in.Name
	p.importBtn.Disable()
	act(p.sc.shell, func(ctx context.Context) (admin.EntityImportResult, error) {
		return svc.ImportEntity(ctx, name, bytes.NewReader(data))
	}, func(res admin.EntityImportResult, err error) {
		p.importBtn.Enable()
		if err != nil {
			p.importFailed(err)
			return
		}
		if em, derr := mapping.DecodeEntity(bytes.NewReader(data)); derr == nil {
			if ext, ok := p.sc.findExternal(em.External); ok {
				p.ext = ext
			}
		}
		p.sc.afterSave("Imported: " + strings.ReplaceAll(strings.TrimSpace(res.Summary()), "\n", "; "))
		p.sc.applyFilter()
	})
}

// importFailed says why an entity mapping file could not be imported.
func (p *entityPane) importFailed(err error) {
	p.sc.shell.showError("Could not import the entity mapping", err,
		"Pick a file written by Export entity (format "+mapping.EntityFormat+") whose external entity exists in this integration's schema.")
}
