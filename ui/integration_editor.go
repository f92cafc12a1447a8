package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
	"switchyard/ui/form"
)

// storedSecret is what an empty secret field says when the workspace holds a value for it.
const storedSecret = "•••••••• saved; type to replace"

// errInvalid says the editor's fields hold problems, which are shown at the fields.
var errInvalid = errors.New("some fields are not valid")

// invalidMessage is the page's status when fields hold problems.
const invalidMessage = "Correct the fields marked in red, then try again."

// integrationEditor is the page that creates an integration or edits one:
// its name, its connector and the connector's settings.
type integrationEditor struct {
	shell *Shell
	orig  *mapping.Integration // nil for a new integration
	// version is the version of orig that a save starts from: a save is
	// refused, and says what changed, when another came in between.
	version admin.Version
	infos   []connector.Info
	info    connector.Info

	name     *keyEntry
	nameErr  *widget.Label
	picker   *keySelect
	about    *widget.Label
	form     *form.Form
	formBox  *fyne.Container
	status   *widget.Label
	progress *widget.ProgressBarInfinite
	testBtn  *widget.Button
	saveBtn  *widget.Button
	marker   *widget.Label
	heading  *widget.RichText
	root     fyne.CanvasObject
	// schedules is the schedules section, part of the draft.
	schedules *scheduleSection
	// baseline is the draft as saved (state), to tell unsaved changes.
	baseline string
	// failedTest is the state whose connection test failed last, "" when none did.
	failedTest string
	// failedErr is that test's error.
	failedErr error
	// detected is the system the last connection test recognised, e.g. "Business Central".
	detected string
	// busy is true while a save or a connection test is under way;
	// writing while a save is.
	busy, writing bool
}

// newIntegrationEditor returns the editor of orig at version, or of a new
// integration when orig is nil.
func newIntegrationEditor(s *Shell, orig *mapping.Integration, version admin.Version) *integrationEditor {
	ed := &integrationEditor{shell: s, orig: orig, version: version, infos: s.svc.Registry.List()}
	ed.buildUI()
	return ed
}

func (ed *integrationEditor) object() fyne.CanvasObject { return ed.root }

func (ed *integrationEditor) buildUI() {
	title := "New integration"
	if ed.orig != nil {
		title = fmt.Sprintf("Edit integration %q", ed.orig.Name)
	}

	ed.name = newKeyEntry()
	ed.name.SetPlaceHolder("e.g. crm")
	ed.nameErr = errorLabel()
	ed.nameErr.SizeName = theme.SizeNameCaptionText
	ed.name.OnChanged = func(string) { showMessage(ed.nameErr, ""); ed.changed() }

	titles := make([]string, len(ed.infos))
	for i, info := range ed.infos {
		titles[i] = connectorTitle(info)
	}
	ed.picker = newKeySelect(titles, nil)
	ed.about = widget.NewLabel("")
	ed.about.Importance = widget.LowImportance
	ed.about.SizeName = theme.SizeNameCaptionText
	ed.about.Wrapping = fyne.TextWrapWord
	ed.formBox = container.NewStack()

	nameLabel := form.NewLabel("Name", true)
	connLabel := form.NewLabel("Connector", true)
	top := container.New(layout.NewFormLayout(),
		nameLabel, container.New(layout.NewCustomPaddedVBoxLayout(0), ed.name, ed.nameErr),
		connLabel, container.New(layout.NewCustomPaddedVBoxLayout(0), ed.picker, ed.about),
	)
	settings := widget.NewLabelWithStyle("Connection settings", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var scheds []schedule.Schedule
	if ed.orig != nil {
		scheds = ed.orig.Schedules
	}
	ed.schedules = newScheduleSection(ed, scheds)
	body := container.NewVScroll(container.NewVBox(top, widget.NewSeparator(), settings, ed.formBox,
		widget.NewSeparator(), ed.schedules.root))

	ed.status = widget.NewLabel("")
	ed.status.Wrapping = fyne.TextWrapWord
	ed.progress = widget.NewProgressBarInfinite()
	ed.progress.Stop()
	ed.progress.Hide()
	ed.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), ed.onTest)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), ed.onCancel)
	ed.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), ed.onSave)
	ed.saveBtn.Importance = widget.HighImportance
	ed.marker = newUnsavedMarker()
	buttons := container.NewHBox(ed.marker, ed.testBtn, cancel, ed.saveBtn)
	bottom := container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, buttons, container.NewStack(ed.status, ed.progress)))

	ed.heading = heading(title)
	ed.root = container.NewPadded(container.NewBorder(ed.heading, bottom, nil, nil, body))

	// Fill in the values last, so that the handlers see a complete page.
	ed.picker.OnChanged = ed.onConnector
	switch {
	case ed.orig != nil:
		ed.name.SetText(ed.orig.Name)
		if info, err := ed.shell.svc.Registry.Lookup(ed.orig.Connector); err == nil {
			ed.picker.SetSelected(connectorTitle(info))
		} else {
			showMessage(ed.status, fmt.Sprintf("The connector %q of this integration is not installed; pick one of the list.", ed.orig.Connector))
			ed.status.Importance = widget.DangerImportance
		}
	case len(ed.infos) > 0:
		ed.picker.SetSelectedIndex(ed.defaultConnector())
	}
	ed.baseline = ed.state()
	ed.changed()
}

// state is the draft as text: the name, the connector, the settings typed
// and the schedules. It differs from baseline when there are unsaved changes.
func (ed *integrationEditor) state() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\x00%s\x00", strings.TrimSpace(ed.name.Text), ed.info.Name)
	if ed.form != nil {
		v := ed.form.Values()
		for _, k := range v.Keys() {
			fmt.Fprintf(&b, "%s=%s\x00", k, v[k])
		}
	}
	if ed.schedules != nil {
		for _, sc := range ed.schedules.items {
			fmt.Fprintf(&b, "%s|%s|%v\x00", sc.Cron, sc.Every, sc.Enabled)
		}
	}
	return b.String()
}

// changed shows whether the draft has unsaved changes.
func (ed *integrationEditor) changed() {
	if ed.marker == nil {
		return
	}
	setMarker(ed.marker, ed.unsaved())
}

// unsaved reports whether the draft differs from what is saved.
func (ed *integrationEditor) unsaved() bool { return ed.state() != ed.baseline }

// unsavedWhat names the draft for the unsaved-changes prompt.
func (ed *integrationEditor) unsavedWhat() string {
	if ed.orig == nil {
		return "The new integration"
	}
	return fmt.Sprintf("The integration %q", ed.orig.Name)
}

// saveDraft saves the draft and tells done whether it could (the page says why not).
func (ed *integrationEditor) saveDraft(done func(saved bool)) { ed.save(false, done) }

// discardDraft forgets the draft: the next page shows what is saved.
func (ed *integrationEditor) discardDraft() { ed.baseline = ed.state() }

// defaultConnector is the index of the connector a new integration starts with: OData when installed.
func (ed *integrationEditor) defaultConnector() int {
	for i, info := range ed.infos {
		if info.Name == "odata" {
			return i
		}
	}
	return 0
}

// onConnector builds the settings form for the connector titled title,
// keeping the values typed so far for options of the same key.
func (ed *integrationEditor) onConnector(title string) {
	var info connector.Info
	for _, i := range ed.infos {
		if connectorTitle(i) == title {
			info = i
		}
	}
	values := spec.Values{}
	if ed.form != nil {
		values = ed.form.Values()
	}
	if ed.orig != nil && info.Name == ed.orig.Connector {
		values = ed.orig.Settings.Clone()
	}
	ed.info = info
	// Secrets are never shown: a stored secret leaves its field empty with a note.
	values, _ = info.Options.Split(values)
	ed.form = form.New(info.Options, values)
	ed.form.OnChanged = ed.changed
	ed.form.Hide = ed.hideOption
	ed.form.Refresh()
	for _, k := range ed.storedSecrets().Keys() {
		if e, ok := ed.form.Widget(k).(*widget.Entry); ok {
			e.SetPlaceHolder(storedSecret)
		}
	}
	showMessage(ed.about, info.Description)
	ed.formBox.Objects = []fyne.CanvasObject{ed.form.Object()}
	ed.formBox.Refresh()
	ed.changed()
}

// hideOption hides the OData connector's Business Central company while the
// service is not known to be Business Central: its preset says so, its URL
// looks like one, or a connection test recognised one.
func (ed *integrationEditor) hideOption(key string, v spec.Values) bool {
	if ed.info.Name != "odata" || key != "company" {
		return false
	}
	if v["preset"] == "businesscentral" || ed.detected == "Business Central" {
		return false
	}
	u := strings.ToLower(v["url"])
	return !strings.Contains(u, "businesscentral") && !strings.Contains(u, "/odatav4") && !strings.Contains(u, "/api/v2.0")
}

// storedSecrets returns the secrets the workspace holds for the connector being edited.
func (ed *integrationEditor) storedSecrets() spec.Values {
	if ed.orig == nil || ed.orig.Connector != ed.info.Name || ed.orig.Secrets == nil {
		return spec.Values{}
	}
	return ed.orig.Secrets
}

// collect checks the page and returns the integration it describes, called
// name; the problems are shown at their fields (nameProblem at the name,
// checkName's) and errInvalid returned.
func (ed *integrationEditor) collect(name, nameProblem string) (mapping.Integration, error) {
	ok := true
	if nameProblem != "" {
		showMessage(ed.nameErr, nameProblem)
		ok = false
	}
	if ed.info.Name == "" {
		showMessage(ed.status, "Pick a connector: it says what kind of system the integration talks to.")
		ed.status.Importance = widget.DangerImportance
		return mapping.Integration{}, errInvalid
	}
	opts := ed.info.Options
	typed := ed.form.Values()
	stored := ed.storedSecrets()
	all := typed.Clone()
	for k, v := range stored {
		if o, isOpt := opts.Get(k); isOpt && o.Applies(typed) && all[k] == "" {
			all[k] = v
		}
	}
	err := opts.Validate(opts.WithDefaults(all))
	ed.form.SetErrors(err)
	if err != nil || !ok {
		return mapping.Integration{}, errInvalid
	}

	settings, secrets := opts.Split(typed)
	in := mapping.Integration{Name: name, Connector: ed.info.Name, Settings: settings}
	switch {
	case ed.orig != nil && ed.orig.Connector == ed.info.Name && len(secrets) == 0:
		in.Secrets = nil // keeps the stored secrets
	case ed.orig != nil && ed.orig.Connector == ed.info.Name:
		in.Secrets = stored.Clone()
		maps.Copy(in.Secrets, secrets)
	default:
		in.Secrets = secrets
	}
	if ed.orig != nil {
		in.Entities = ed.orig.Entities
	}
	in.Schedules = slices.Clone(ed.schedules.items)
	return in, nil
}

// validate checks the page, the name against the workspace off the UI
// goroutine, then calls next with the integration the page describes and
// the draft it is (state); ok is false when the page shows problems.
func (ed *integrationEditor) validate(next func(in mapping.Integration, state string, ok bool)) {
	name, state := strings.TrimSpace(ed.name.Text), ed.state()
	orig := ""
	if ed.orig != nil {
		orig = ed.orig.Name
	}
	svc := ed.shell.svc
	act(ed.shell, func(ctx context.Context) (string, error) { return checkName(ctx, svc, orig, name), nil },
		func(problem string, _ error) {
			in, err := ed.collect(name, problem)
			next(in, state, err == nil)
		})
}

// checkName returns what is wrong with name, the name of the integration
// called orig ("" for a new one), "" when it is fine; it reads the workspace.
func checkName(ctx context.Context, svc *admin.Service, orig, name string) string {
	if name == "" {
		return "Name is required: it names the integration in files and commands, e.g. crm."
	}
	if orig == name {
		return ""
	}
	_, err := svc.Integration(ctx, name)
	switch {
	case err == nil:
		return fmt.Sprintf("An integration called %q already exists: choose another name.", name)
	case !errors.Is(err, admin.ErrNotFound):
		return fmt.Sprintf("Could not check the name: %v", err)
	}
	return ""
}

// withSecrets returns in with the secrets a test needs: the typed ones over the stored ones.
func (ed *integrationEditor) withSecrets(in mapping.Integration) mapping.Integration {
	if in.Secrets == nil {
		in.Secrets = ed.storedSecrets().Clone()
	}
	return in
}

func (ed *integrationEditor) onSave() { ed.save(true, func(bool) {}) }

// save saves the draft off the UI goroutine and, when show, shows
// Integrations with it selected; done is told whether it was saved. Save and
// Test connection are disabled meanwhile. A draft whose connection test just
// failed is saved only once the admin says so.
func (ed *integrationEditor) save(show bool, done func(saved bool)) {
	if ed.busy {
		done(false)
		return
	}
	ed.startSaving()
	ed.validate(func(in mapping.Integration, state string, ok bool) {
		if !ok {
			ed.setBusy(false)
			ed.setStatus(invalidMessage, widget.DangerImportance)
			done(false)
			return
		}
		if ed.failedTest == "" || ed.failedTest != state {
			ed.write(in, state, show, done)
			return
		}
		ed.setBusy(false) // while the admin answers
		msg := fmt.Sprintf("The connection test of these settings failed:\n%v\n\nSave them anyway? Runs will fail until the system can be reached.", ed.failedErr)
		ed.shell.ask("Save settings that failed their test?", msg, "Save anyway", false, func(yes bool) {
			if !yes || ed.busy {
				done(false)
				return
			}
			ed.failedTest = ""
			ed.startSaving()
			ed.write(in, state, show, done)
		})
	})
}

// savingText is a Save button's text while its write runs.
const savingText = "Saving…"

// written is what writing an integration did: whether it renamed it, the
// integration as saved last (renamed, then saved), and what went wrong.
type written struct {
	renamed bool
	saved   admin.Loaded
	err     error
}

// write saves in, the draft state, off the UI goroutine (renaming the
// integration first when its name changed), from the version the page
// loaded, then tells done whether it did.
func (ed *integrationEditor) write(in mapping.Integration, state string, show bool, done func(saved bool)) {
	svc, from := ed.shell.svc, admin.Loaded{Version: ed.version}
	oldName := ""
	if ed.orig != nil {
		from.Integration = *ed.orig
		if ed.orig.Name != in.Name {
			oldName = ed.orig.Name
		}
	}
	act(ed.shell, func(ctx context.Context) (written, error) {
		w := written{saved: from}
		if oldName != "" {
			var err error
			if w.saved, err = svc.RenameIntegrationFrom(ctx, from, in.Name); err != nil {
				return written{}, err
			}
			w.renamed = true
		}
		saved, err := svc.SaveIntegrationFrom(ctx, w.saved, in)
		if err == nil {
			w.saved = saved
		}
		w.err = err
		return w, nil
	}, func(w written, renameErr error) {
		ed.setBusy(false)
		if w.renamed {
			ed.shell.plan.Forget(oldName)
			// The rename is done: from now on this page edits the new name.
			renamed := w.saved.Integration
			ed.orig, ed.version = &renamed, w.saved.Version
		}
		if ed.writeFailed(in.Name, renameErr, w.err) {
			done(false)
			return
		}
		ed.saved(w.saved, state, show)
		done(true)
	})
}

// reloadFrom drops the draft and edits current, the integration as another
// save left it (the conflict dialog's Reload).
func (ed *integrationEditor) reloadFrom(current admin.Loaded) {
	if ed.shell.editor != ed {
		return // the admin left the page meanwhile
	}
	ed.discardDraft()
	in := current.Integration
	ed.shell.editor = newIntegrationEditor(ed.shell, &in, current.Version)
	ed.shell.setContent(ed.shell.editor.object())
}

// writeFailed shows why the integration called name could not be renamed
// or saved, at the page's bottom and in a dialog; it reports whether it could not.
func (ed *integrationEditor) writeFailed(name string, renameErr, saveErr error) bool {
	title, err := "Could not rename the integration", renameErr
	if err == nil {
		title, err = "Could not save the integration", saveErr
	}
	if err == nil {
		return false
	}
	if ce := conflictFor(err); ce != nil {
		ed.setStatus("Not saved: "+ce.Error(), widget.DangerImportance)
		ed.shell.showConflict(ce, ed.reloadFrom)
		return true
	}
	if errors.Is(err, admin.ErrExists) { // renamed or created onto a name taken meanwhile
		showMessage(ed.nameErr, fmt.Sprintf("An integration called %q already exists: choose another name.", name))
	}
	ed.setStatus(fmt.Sprintf("%s: %v", title, err), widget.DangerImportance)
	ed.shell.showError(title+" "+name, err, "The draft is kept: correct what the message names, or wait until a run that holds the workspace ends, then Save again.")
	return true
}

// saved makes l, written from the draft state, what the page edits (and
// saves from next) and, when show, shows Integrations with it selected.
func (ed *integrationEditor) saved(l admin.Loaded, state string, show bool) {
	in := l.Integration
	// The schedules saved now count from now: saving never starts a sync.
	ed.shell.observeSaved(in.Name, in.Schedules, time.Now())
	ed.orig, ed.version = &in, l.Version
	ed.baseline = state
	ed.changed()
	if show {
		ed.shell.integrations.want = in.Name // selected once the list has loaded
		ed.shell.Show(SectionIntegrations)
	}
}

// startSaving shows that a save is under way: Save reads Saving….
func (ed *integrationEditor) startSaving() {
	ed.setBusy(true)
	ed.writing = true
	ed.saveBtn.SetText(savingText)
}

// savingNow reports whether a save is under way (savingPage).
func (ed *integrationEditor) savingNow() bool { return ed.writing }

// setBusy shows that a save or a connection test is under way: the
// progress bar runs, Save and Test connection are disabled.
func (ed *integrationEditor) setBusy(on bool) {
	ed.busy = on
	if on {
		ed.setStatus("", widget.MediumImportance)
		ed.saveBtn.Disable()
		ed.testBtn.Disable()
		ed.progress.Show()
		ed.progress.Start()
		return
	}
	ed.writing = false
	ed.progress.Stop()
	ed.progress.Hide()
	ed.saveBtn.SetText("Save")
	ed.saveBtn.Enable()
	ed.testBtn.Enable()
}

// onCancel leaves the editor, asking first about unsaved changes.
func (ed *integrationEditor) onCancel() { ed.shell.showSection(SectionIntegrations) }

func (ed *integrationEditor) onTest() {
	if ed.busy {
		return
	}
	ed.setBusy(true)
	ed.validate(func(in mapping.Integration, tested string, ok bool) {
		if !ok {
			ed.setBusy(false)
			ed.setStatus(invalidMessage, widget.DangerImportance)
			return
		}
		ed.test(ed.withSecrets(in), tested)
	})
}

// test tests the connection of in, the draft state tested, off the UI
// goroutine (act), for testTimeout at most.
func (ed *integrationEditor) test(in mapping.Integration, tested string) {
	svc := ed.shell.svc
	act(ed.shell, func(ctx context.Context) (connector.Report, error) {
		ctx, cancel := context.WithTimeout(ctx, testTimeout)
		defer cancel()
		return svc.Test(ctx, in)
	}, func(rep connector.Report, err error) {
		ed.setBusy(false)
		if err != nil {
			var fe *spec.FieldError
			if errors.As(err, &fe) {
				ed.form.SetErrors(err)
			}
			ed.failedTest, ed.failedErr = tested, err
			ed.setStatus(fmt.Sprintf("Connection failed: %v", err), widget.DangerImportance)
			return
		}
		ed.failedTest = ""
		ed.detected = rep.System
		ed.form.Refresh()
		ed.setStatus("Connection works. "+strings.ReplaceAll(reportText(rep), "\n", "; "), widget.SuccessImportance)
	})
}

// setStatus shows text at the bottom of the page and lays the page out
// again, as messages shown or hidden above change the rows' heights.
func (ed *integrationEditor) setStatus(text string, imp widget.Importance) {
	ed.status.Importance = imp
	showMessage(ed.status, text)
	ed.root.Refresh()
}
