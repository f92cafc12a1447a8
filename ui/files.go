package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
)

// openWith opens the file or folder at path with the desktop's program for
// it (openFile: xdg-open, open, or the Windows shell), unless a test set s.opener.
func (s *Shell) openWith(path string) error {
	if s.opener != nil {
		return s.opener(fileURL(path))
	}
	return openFile(path)
}

// fileURL is the file: URL of path.
func fileURL(path string) *url.URL {
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
}

// openerMissing words why no program could open a file.
func openerMissing(err error) string {
	var ee *exec.Error
	if errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound) {
		return fmt.Sprintf("This computer has no program set up to open files: %s is not installed.", filepath.Base(ee.Name))
	}
	return "The desktop could not open it: " + err.Error()
}

// openPath opens the file at path (what names it: "the report") with the
// desktop's program; when there is none, it says so plainly and offers
// Copy path and Show folder.
func (s *Shell) openPath(path, what string) {
	if _, err := os.Stat(path); err != nil {
		s.showError("Could not open "+what, err, "The file was moved or deleted; run again to write a new one.")
		return
	}
	err := s.openWith(path)
	if err == nil {
		return
	}
	s.lastError = "Could not open " + what + ": " + openerMissing(err)
	msg := widget.NewLabel(openerMissing(err) + "\nOpen it with a program of your choice (a spreadsheet program for .xlsx and .csv):")
	msg.Wrapping = fyne.TextWrapWord
	pathText := widget.NewLabel(path)
	pathText.Selectable = true
	pathText.TextStyle = fyne.TextStyle{Monospace: true}
	body := container.NewVBox(msg, pathText, container.NewHBox(s.copyPathButton(path), s.showFolderButton(path)))
	d := s.showCustom("Could not open "+what, "Close", body)
	d.Resize(fyne.NewSize(620, 0))
}

// copyPathButton copies path to the clipboard.
func (s *Shell) copyPathButton(path string) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("Copy path", theme.ContentCopyIcon(), func() {
		s.app.Clipboard().SetContent(path)
		b.SetText("Copied")
	})
	return b
}

// showFolderButton shows the folder that holds path.
func (s *Shell) showFolderButton(path string) *widget.Button {
	return widget.NewButtonWithIcon("Show folder", theme.FolderOpenIcon(), func() { s.showFolder(path) })
}

// showFolder shows the folder of path in the desktop's file manager; when
// there is none, in the app's own file browser, there.
func (s *Shell) showFolder(path string) {
	dir := filepath.Dir(path)
	if err := s.openWith(dir); err == nil {
		return
	}
	lister, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		s.showError("Could not show the folder", err, "The folder is "+dir+".")
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if r != nil {
			r.Close()
		}
	}, s.win)
	d.SetLocation(lister)
	d.SetTitleText("Folder " + dir + " (no file manager is set up on this computer)")
	d.SetConfirmText("Close")
	d.SetDismissText("Close")
	d.Show()
	d.Resize(fyne.NewSize(760, 520))
}

// fileLinks is a line that names a file written for the admin (what: "Report")
// with Open, Copy path and Show folder.
func (s *Shell) fileLinks(what, path string) fyne.CanvasObject {
	label := widget.NewLabel(what + ": " + path)
	label.Truncation = fyne.TextTruncateEllipsis
	label.Selectable = true
	open := widget.NewButtonWithIcon("Open", theme.DocumentIcon(), func() { s.openPath(path, strings.ToLower(what)) })
	return container.NewBorder(nil, nil, nil, container.NewHBox(open, s.copyPathButton(path), s.showFolderButton(path)), label)
}

// saveAs asks where to save a file (a full path, typed or picked with
// Browse…; a bare name goes to folder) and writes it with write, off the UI
// goroutine (act) with Save disabled meanwhile; done is told the path
// written. A path that cannot be written is said so in the dialog, which
// stays open.
func (s *Shell) saveAs(title, folder, name string, write func(ctx context.Context, w io.Writer) error, done func(path string)) *keyEntry {
	pathEntry := newKeyEntry()
	pathEntry.SetText(filepath.Join(folder, name))
	problem := errorLabel()
	browse := widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
			if err == nil && dir != nil {
				pathEntry.SetText(filepath.Join(dir.Path(), filepath.Base(pathEntry.Text)))
			}
		}, s.win)
		if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(resolvePath(pathEntry.Text, folder)))); err == nil {
			d.SetLocation(l)
		}
		d.Show()
		d.Resize(fyne.NewSize(760, 520))
	})
	hintText := hint("Type a full path, or a file name to save it in " + folder + ".")
	body := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Save to"), browse, pathEntry), hintText, problem)
	var save func(overwrite bool, finish func(bool))
	written := ""
	save = func(overwrite bool, finish func(bool)) {
		path := resolvePath(pathEntry.Text, folder)
		if err := checkWritable(path); err != nil {
			showMessage(problem, err.Error())
			finish(false)
			return
		}
		if _, err := os.Stat(path); err == nil && !overwrite {
			s.ask("Replace "+filepath.Base(path)+"?", path+" exists already. Replace it?", "Replace", true, func(yes bool) {
				if !yes {
					finish(false)
					return
				}
				save(true, finish)
			})
			return
		}
		run(s, func(ctx context.Context) error {
			return writeFile(path, func(w io.Writer) error { return write(ctx, w) })
		}, func(err error) {
			if err != nil {
				showMessage(problem, fmt.Sprintf("Could not write %s: %v", path, err))
				finish(false)
				return
			}
			written = path
			finish(true)
		})
	}
	d, _ := s.formDialogThen(title, "Save", body, fyne.NewSize(640, 0), func(finish func(bool)) { save(false, finish) })
	// Tell what was written once the dialog is gone: hiding a dialog takes
	// the ones shown above it away too.
	d.SetOnClosed(func() {
		if written != "" {
			done(written)
		}
	})
	s.win.Canvas().Focus(pathEntry)
	return pathEntry
}

// resolvePath makes a typed path absolute: ~ is the home folder, a relative path is in folder.
func resolvePath(text, folder string) string {
	p := strings.TrimSpace(text)
	if strings.HasPrefix(p, "~") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(folder, p)
	}
	return filepath.Clean(p)
}

// checkWritable says what is wrong with writing a file at path, nil when nothing is.
func checkWritable(path string) error {
	if strings.HasSuffix(path, string(filepath.Separator)) || filepath.Base(path) == "." {
		return fmt.Errorf("name a file, not a folder: %s", path)
	}
	st, err := os.Stat(filepath.Dir(path))
	switch {
	case err != nil:
		return fmt.Errorf("the folder %s does not exist: create it first, or pick another with Browse…", filepath.Dir(path))
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", filepath.Dir(path))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder: name a file in it", path)
	}
	return nil
}

// writeFile writes path with write, through a temporary file, so that a
// failed write leaves no half file.
func writeFile(path string, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// exportFolder is where files the admin exports go by default: the
// workspace file's folder, else the home folder.
func (s *Shell) exportFolder() string {
	if p := s.svc.LocalFolder(); p != "" && !s.svc.Shared() {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	return os.TempDir()
}

// runReport finds the Excel report the app wrote for run (reportPath: the
// reports folder beside the workspace, named after the integration, the
// direction and the time the run began), "" when there is none.
func runReport(local string, run admin.Run) string {
	folder := filepath.Dir(reportPath(local, run.Integration, engine.Import, run.Started))
	matches, _ := filepath.Glob(filepath.Join(folder, run.Integration+"-*.xlsx"))
	best, bestGap := "", time.Duration(-1)
	for _, m := range matches {
		base := strings.TrimSuffix(filepath.Base(m), ".xlsx")
		if len(base) < len("20060102-150405") {
			continue
		}
		at, err := time.ParseInLocation("20060102-150405", base[len(base)-len("20060102-150405"):], time.Local)
		if err != nil {
			continue
		}
		// The report is started just before the run: at most a few minutes before it, never after.
		gap := run.Started.Sub(at)
		if gap < -2*time.Second || gap > 5*time.Minute {
			continue
		}
		if gap < 0 {
			gap = -gap
		}
		if bestGap < 0 || gap < bestGap {
			best, bestGap = m, gap
		}
	}
	return best
}

// failedCSVPath is the CSV of failed records written beside report.
func failedCSVPath(report string) string {
	return strings.TrimSuffix(report, filepath.Ext(report)) + ".failed.csv"
}
