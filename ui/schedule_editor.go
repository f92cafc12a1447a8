package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/schedule"
	"switchyard/ui/form"
)

// The two ways a schedule is written, as the editor offers them.
const (
	kindEvery = "Every N minutes"
	kindCron  = "At set times (cron)"
)

// cronPresets are common cron expressions, offered to fill the cron field.
var cronPresets = []struct{ label, expr string }{
	{"Every day at 02:00", "0 2 * * *"},
	{"Every weekday at 07:30", "30 7 * * 1-5"},
	{"Every hour, on the hour", "0 * * * *"},
	{"Every Monday at 06:00", "0 6 * * 1"},
	{"On day 1 of every month at 06:00", "0 6 1 * *"},
}

// scheduleForm edits one schedule: every N minutes or a cron expression,
// enabled or not, showing as it is typed what it means in words and its
// next five runs, from the same computation the runner uses.
type scheduleForm struct {
	shell *Shell
	// names are the integrations to choose from; the picker is fixed when there is one.
	names []string

	integration *keySelect
	kind        *widget.RadioGroup
	minutes     *keyEntry
	cron        *keyEntry
	preset      *keySelect
	enabled     *widget.Check
	reading     *widget.Label
	times       *widget.Label
	everyRow    fyne.CanvasObject
	cronRow     fyne.CanvasObject
	root        fyne.CanvasObject
	// onValid, when set, is told after every change whether the schedule is valid.
	onValid func(bool)
}

// newScheduleForm returns a form for sc of one of names (the first when
// integration is ""); a zero sc starts as "every 60 minutes", enabled.
func newScheduleForm(s *Shell, names []string, integration string, sc schedule.Schedule) *scheduleForm {
	f := &scheduleForm{shell: s, names: names}
	f.integration = newKeySelect(names, func(string) { f.changed() })
	f.kind = widget.NewRadioGroup([]string{kindEvery, kindCron}, func(string) { f.showKind(); f.changed() })
	f.kind.Horizontal = true
	f.kind.Required = true
	f.minutes = newKeyEntry()
	f.minutes.SetPlaceHolder("e.g. 15")
	f.cron = newKeyEntry()
	f.cron.SetPlaceHolder("minute hour day month weekday, e.g. 0 2 * * *")
	labels := make([]string, len(cronPresets))
	for i, p := range cronPresets {
		labels[i] = p.label
	}
	f.preset = newKeySelect(labels, func(label string) {
		for _, p := range cronPresets {
			if p.label == label {
				f.cron.SetText(p.expr)
			}
		}
	})
	f.preset.PlaceHolder = "Common times…"
	f.enabled = widget.NewCheck("Enabled: the app runs it while open", func(bool) { f.changed() })
	f.reading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.reading.Wrapping = fyne.TextWrapWord
	f.times = widget.NewLabel("")

	f.everyRow = container.NewHBox(widget.NewLabel("Every"), container.NewGridWrap(fyne.NewSize(90, f.minutes.MinSize().Height), f.minutes), widget.NewLabel("minutes"))
	f.cronRow = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(250, f.preset.MinSize().Height), f.preset), f.cron)
	rows := container.New(layout.NewFormLayout(),
		form.NewLabel("Integration", true), f.integration,
		form.NewLabel("Runs", true), f.kind,
		widget.NewLabel(""), container.NewStack(f.everyRow, f.cronRow),
		widget.NewLabel(""), f.enabled,
	)
	next := widget.NewLabelWithStyle("Next five runs", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.root = container.NewVBox(rows, widget.NewSeparator(), f.reading, next, f.times)

	// Fill in the values last, so that the handlers see a complete form.
	if integration == "" && len(names) > 0 {
		integration = names[0]
	}
	f.integration.SetSelected(integration)
	if len(names) <= 1 {
		f.integration.Disable()
	}
	switch {
	case sc.Cron != "":
		f.cron.SetText(sc.Cron)
		f.minutes.SetText("60")
		f.kind.SetSelected(kindCron)
	default:
		m := 60
		if d, err := time.ParseDuration(sc.Every); err == nil && d >= time.Minute {
			m = int(d / time.Minute)
		}
		f.minutes.SetText(strconv.Itoa(m))
		f.cron.SetText("0 2 * * *")
		f.kind.SetSelected(kindEvery)
	}
	f.enabled.SetChecked(sc.Enabled || (sc.Cron == "" && sc.Every == ""))
	f.minutes.OnChanged = func(string) { f.changed() }
	f.cron.OnChanged = func(string) { f.changed() }
	f.showKind()
	f.changed()
	return f
}

// showKind shows the interval or the cron field.
func (f *scheduleForm) showKind() {
	if f.kind.Selected == kindCron {
		f.everyRow.Hide()
		f.cronRow.Show()
	} else {
		f.cronRow.Hide()
		f.everyRow.Show()
	}
}

// value returns the schedule the form describes, or what is wrong with it.
func (f *scheduleForm) value() (schedule.Schedule, error) {
	sc := schedule.Schedule{Enabled: f.enabled.Checked}
	if f.kind.Selected == kindCron {
		sc.Cron = strings.Join(strings.Fields(f.cron.Text), " ")
		if sc.Cron == "" {
			return sc, errors.New("write a cron expression, or pick one of the common times")
		}
	} else {
		n, err := strconv.Atoi(strings.TrimSpace(f.minutes.Text))
		if err != nil || n < 1 {
			return sc, fmt.Errorf("write a whole number of minutes, 1 or more (e.g. 15)")
		}
		sc.Every = everyText(time.Duration(n) * time.Minute)
	}
	return sc, sc.Validate()
}

// everyText writes an interval as schedules store it: "15m", "2h", "90m".
func everyText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// changed shows what the schedule means and its next runs, or what is wrong.
func (f *scheduleForm) changed() {
	if f.times == nil || f.integration == nil {
		return
	}
	sc, err := f.value()
	if f.onValid != nil {
		f.onValid(err == nil)
	}
	if err != nil {
		f.reading.Importance = widget.DangerImportance
		f.reading.SetText(err.Error())
		f.times.SetText("")
		return
	}
	f.reading.Importance = widget.MediumImportance
	reading := "Runs " + sc.Describe()
	if !sc.Enabled {
		reading += " once enabled"
	}
	f.reading.SetText(reading + ".")
	now := time.Now()
	name := f.integration.Selected
	ts, err := f.shell.previewTimes(name, sc, f.shell.lastSync(name), now, 5)
	if err != nil {
		f.times.SetText(err.Error())
		return
	}
	f.times.SetText(timesText(ts, now))
}

// editSchedule opens the schedule editor on sc of one of names (a new
// schedule when isNew); save keeps the result, perhaps off the UI goroutine,
// and tells done the error to show in the dialog, which then stays open. The
// dialog's confirm button is disabled until then.
func (s *Shell) editSchedule(names []string, integration string, sc schedule.Schedule, isNew bool, save func(name string, sc schedule.Schedule, done func(error))) *scheduleForm {
	f := newScheduleForm(s, names, integration, sc)
	problem := errorLabel()
	title, confirm := "Edit schedule", "Save"
	if isNew {
		title, confirm = "New schedule", "Add"
	}
	body := container.NewVBox(f.root, problem)
	_, ok := s.formDialogThen(title, confirm, body, fyne.NewSize(620, 0), func(finish func(bool)) {
		v, err := f.value()
		if err != nil {
			showMessage(problem, err.Error())
			finish(false)
			return
		}
		save(f.integration.Selected, v, func(err error) {
			if err != nil {
				showMessage(problem, err.Error())
			}
			finish(err == nil)
		})
	})
	f.onValid = func(valid bool) {
		if valid {
			ok.Enable()
		} else {
			ok.Disable()
		}
	}
	f.changed()
	s.scheduleForm = f
	return f
}
