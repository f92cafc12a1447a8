// Package form builds a Fyne settings form from a connector's spec options:
// one row per option with its label, a widget chosen by the option's kind,
// the help as hint text and room for an error message under the widget.
package form

import (
	"errors"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/spec"
)

// Form is a settings form for one set of spec options.
// Build it with New; show it with Object; read it back with Values.
type Form struct {
	opts  spec.Options
	rows  []*row
	byKey map[string]*row

	// general shows errors that belong to no visible field (unknown settings).
	general  *widget.Label
	advanced *widget.Accordion
	object   fyne.CanvasObject

	// OnChanged, if set, is called after any value of the form changes.
	OnChanged func()
	// Hide, if set, hides an option in force that does not matter for the
	// values typed (e.g. a setting of one kind of system while the system is
	// not known to be that kind); a hidden option with a value shows anyway.
	// Call Refresh after setting it.
	Hide func(key string, values spec.Values) bool
}

// Refresh shows and hides the options again, e.g. after Hide changed its mind.
func (f *Form) Refresh() { f.updateVisibility() }

// row is the label, the input and the messages of one option.
type row struct {
	opt     spec.Option
	label   *widget.RichText
	labelC  fyne.CanvasObject // label at least LabelWidth wide
	input   fyne.CanvasObject // the field as placed: Esc and F1 reach PassKey
	widget  fyne.CanvasObject // its *widget.Entry, *widget.Check or *widget.Select, as Widget returns it
	cell    *fyne.Container   // input, hint and error, stacked
	hint    *widget.Label
	errText *widget.Label

	entry *widget.Entry
	check *widget.Check
	sel   *widget.Select
}

// New builds a form for opts filled with values; empty values show the options' defaults.
func New(opts spec.Options, values spec.Values) *Form {
	f := &Form{opts: opts, byKey: map[string]*row{}}
	values = opts.WithDefaults(values)
	for _, o := range opts {
		r := f.newRow(o, values[o.Key])
		f.rows = append(f.rows, r)
		f.byKey[o.Key] = r
	}
	f.buildUI()
	f.updateVisibility()
	return f
}

// Object returns the form's canvas object, to place in a window or dialog.
func (f *Form) Object() fyne.CanvasObject { return f.object }

// Options returns the options the form was built from.
func (f *Form) Options() spec.Options { return f.opts }

// Widget returns the input widget of the option key (an *widget.Entry, *widget.Check or
// *widget.Select), or nil when the form has no such option.
func (f *Form) Widget(key string) fyne.CanvasObject {
	if r, ok := f.byKey[key]; ok {
		return r.widget
	}
	return nil
}

// Visible reports whether the option key is in force and shown for the current values.
func (f *Form) Visible(key string) bool {
	r, ok := f.byKey[key]
	return ok && r.cell.Visible()
}

// Error returns the error message shown at the option key, "" when none.
func (f *Form) Error(key string) string {
	if r, ok := f.byKey[key]; ok && r.errText.Visible() {
		return r.errText.Text
	}
	return ""
}

// GeneralError returns the message shown above the fields for problems that
// name no field of the form, "" when none.
func (f *Form) GeneralError() string {
	if f.general.Visible() {
		return f.general.Text
	}
	return ""
}

// Values returns the values of the options in force; empty text fields are left out.
// A bool option is always present, as "true" or "false".
func (f *Form) Values() spec.Values {
	all := f.rawValues()
	out := spec.Values{}
	for _, r := range f.rows {
		if !r.opt.Applies(all) {
			continue
		}
		if v := all[r.opt.Key]; v != "" {
			out[r.opt.Key] = v
		}
	}
	return out
}

// rawValues returns the current text of every option, shown or not.
func (f *Form) rawValues() spec.Values {
	v := spec.Values{}
	for _, r := range f.rows {
		v[r.opt.Key] = r.value()
	}
	return v
}

// SetErrors shows the problems in err at the fields they name: every *spec.FieldError
// found in err (wrapped or joined) is shown under its field; any other problem, or one
// naming an option the form does not show, is shown above the fields. nil clears all messages.
func (f *Form) SetErrors(err error) {
	for _, r := range f.rows {
		r.setError("")
	}
	var general []string
	fields, others := fieldErrors(err)
	for _, fe := range fields {
		r, ok := f.byKey[fe.Key]
		if !ok || !r.cell.Visible() {
			general = append(general, fe.Error())
			continue
		}
		r.setError(fe.Msg)
		if r.opt.Advanced && f.advanced != nil {
			f.advanced.Open(0)
		}
	}
	for _, e := range others {
		general = append(general, e.Error())
	}
	if len(general) == 0 {
		f.general.SetText("")
		f.general.Hide()
	} else {
		f.general.SetText(strings.Join(general, "\n"))
		f.general.Show()
	}
	f.object.Refresh()
}

// fieldErrors splits err into its *spec.FieldError leaves and the other problems in it.
// A part of err that holds no field error is kept whole, with its context.
func fieldErrors(err error) (fields []*spec.FieldError, others []error) {
	var walk func(e error)
	walk = func(e error) {
		if fe, ok := e.(*spec.FieldError); ok {
			fields = append(fields, fe)
			return
		}
		var fe *spec.FieldError
		if !errors.As(e, &fe) {
			others = append(others, e)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return fields, others
}

func (f *Form) buildUI() {
	f.general = widget.NewLabel("")
	f.general.Importance = widget.DangerImportance
	f.general.Wrapping = fyne.TextWrapWord
	f.general.Hide()

	basic := container.New(layout.NewFormLayout())
	adv := container.New(layout.NewFormLayout())
	for _, r := range f.rows {
		if r.opt.Advanced {
			adv.Add(r.labelC)
			adv.Add(r.cell)
		} else {
			basic.Add(r.labelC)
			basic.Add(r.cell)
		}
	}
	content := container.NewVBox(f.general, basic)
	if len(f.rows) == 0 {
		none := widget.NewLabel("This connector has no settings.")
		none.Importance = widget.LowImportance
		content.Add(none)
	}
	if len(adv.Objects) > 0 {
		f.advanced = widget.NewAccordion(widget.NewAccordionItem("Advanced", adv))
		content.Add(f.advanced)
	}
	f.object = content
}

// changed is called by every input when its value changes.
func (f *Form) changed() {
	f.updateVisibility()
	if f.OnChanged != nil {
		f.OnChanged()
	}
}

// updateVisibility shows the options in force and hides the others.
func (f *Form) updateVisibility() {
	v := f.rawValues()
	advShown := 0
	for _, r := range f.rows {
		on := r.opt.Applies(v)
		if on && f.Hide != nil && v[r.opt.Key] == "" && f.Hide(r.opt.Key, v) {
			on = false
		}
		if on == r.cell.Visible() {
			if on && r.opt.Advanced {
				advShown++
			}
			continue
		}
		if on {
			r.labelC.Show()
			r.cell.Show()
			if r.opt.Advanced {
				advShown++
			}
		} else {
			r.labelC.Hide()
			r.cell.Hide()
			r.setError("")
		}
	}
	if f.advanced != nil {
		if advShown == 0 {
			f.advanced.Hide()
		} else {
			f.advanced.Show()
		}
	}
	if f.object != nil {
		f.object.Refresh()
	}
}

func (f *Form) newRow(o spec.Option, value string) *row {
	r := &row{opt: o}
	text := o.Label
	if text == "" {
		text = o.Key
	}
	r.label = richLabel(text, o.Required)
	r.labelC = widthAtLeast(LabelWidth, r.label)

	// Values are set before the handlers, so that building fires no change.
	switch o.Kind {
	case spec.KindBool:
		kc := newKeyCheck()
		r.check, r.input = &kc.Check, kc
		b, _ := strconv.ParseBool(value)
		r.check.SetChecked(b)
		r.check.OnChanged = func(bool) { r.setError(""); f.changed() }
		r.widget = r.check
	case spec.KindEnum:
		ks := newKeySelect(o.Choices)
		r.sel, r.input = &ks.Select, ks
		r.sel.PlaceHolder = "(choose one)"
		if value != "" {
			r.sel.SetSelected(value)
		}
		r.sel.OnChanged = func(string) { r.setError(""); f.changed() }
		r.widget = r.sel
	default:
		ke := newKeyEntry(o.Kind == spec.KindSecret)
		r.entry, r.input = &ke.Entry, ke
		r.entry.SetText(value)
		r.entry.SetPlaceHolder(placeholder(o))
		if o.Kind == spec.KindInt || o.Kind == spec.KindURL {
			r.entry.Validator = fieldValidator(o)
		}
		r.entry.OnChanged = func(string) { f.changed() }
		r.widget = r.entry
	}

	r.hint = widget.NewLabel(o.Help)
	r.hint.Importance = widget.LowImportance
	r.hint.SizeName = theme.SizeNameCaptionText
	r.hint.Wrapping = fyne.TextWrapWord
	if o.Help == "" {
		r.hint.Hide()
	}
	r.errText = widget.NewLabel("")
	r.errText.Importance = widget.DangerImportance
	r.errText.SizeName = theme.SizeNameCaptionText
	r.errText.Wrapping = fyne.TextWrapWord
	r.errText.Hide()
	r.cell = container.New(layout.NewCustomPaddedVBoxLayout(0), r.input, r.hint, r.errText)

	if r.entry != nil {
		// Live problems (a number or URL that does not parse) show under the field
		// once the user leaves it, and go away as soon as the text is right.
		r.entry.SetOnValidationChanged(func(err error) {
			if err != nil {
				r.setError(err.Error())
			} else {
				r.setError("")
			}
		})
	}
	return r
}

// value returns the option's current value as text.
func (r *row) value() string {
	switch {
	case r.check != nil:
		return strconv.FormatBool(r.check.Checked)
	case r.sel != nil:
		return r.sel.Selected
	default:
		return strings.TrimSpace(r.entry.Text)
	}
}

// setError shows msg under the option's input in place of its help; "" clears it.
func (r *row) setError(msg string) {
	if msg == "" && !r.errText.Visible() {
		return
	}
	r.errText.SetText(msg)
	if msg == "" {
		r.errText.Hide()
		if r.opt.Help != "" {
			r.hint.Show()
		}
	} else {
		r.errText.Show()
		r.hint.Hide()
	}
	r.cell.Refresh()
}

// LabelWidth is the least width of a form's label column, so that the forms
// stacked on one page (see NewLabel) line up.
const LabelWidth float32 = 150

// NewLabel returns a label like the form's own: bold, right-aligned, at least
// LabelWidth wide, with a red "*" when required. Use it for rows placed in a
// form layout next to a Form, so that the columns line up.
func NewLabel(text string, required bool) fyne.CanvasObject {
	return widthAtLeast(LabelWidth, richLabel(text, required))
}

// richLabel is the bold, right-aligned label text, with a red "*" when required.
func richLabel(text string, required bool) *widget.RichText {
	seg := &widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		Alignment: fyne.TextAlignTrailing,
		TextStyle: fyne.TextStyle{Bold: true},
	}}
	label := widget.NewRichText(seg)
	if required {
		marker := &widget.TextSegment{Text: "* ", Style: widget.RichTextStyle{
			Alignment: fyne.TextAlignTrailing,
			ColorName: theme.ColorNameError,
			Inline:    true,
			TextStyle: fyne.TextStyle{Bold: true},
		}}
		label.Segments = []widget.RichTextSegment{marker, seg}
	}
	return label
}

// widthAtLeast wraps o in a container at least width wide.
func widthAtLeast(width float32, o fyne.CanvasObject) fyne.CanvasObject {
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(width, 0))
	return container.NewStack(strut, o)
}

// placeholder is the grey text an empty entry shows.
func placeholder(o spec.Option) string {
	switch o.Kind {
	case spec.KindURL:
		return "https://"
	case spec.KindInt:
		return "a whole number"
	case spec.KindSecret:
		return "not set"
	}
	return ""
}

// fieldValidator checks one value with the option's own rules from spec;
// an empty value passes here (Required is checked when the form is saved).
func fieldValidator(o spec.Option) func(string) error {
	o.When, o.Required = nil, false
	one := spec.Options{o}
	return func(s string) error {
		err := one.Validate(spec.Values{o.Key: strings.TrimSpace(s)})
		var fe *spec.FieldError
		if errors.As(err, &fe) {
			return errors.New(fe.Msg)
		}
		return err
	}
}
