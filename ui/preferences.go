package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The preference keys the app keeps between sessions.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	prefTheme  = "theme"
)

// The theme choices of the sidebar's picker.
const (
	themeSystem = "System theme"
	themeLight  = "Light theme"
	themeDark   = "Dark theme"
)

var themeChoices = []string{themeSystem, themeLight, themeDark}

// defaultSize is the window's size on first start.
var defaultSize = fyne.NewSize(1280, 800)

// minSize is the smallest size the window is restored to.
var minSize = fyne.NewSize(900, 600)

// savedSize is the window size kept from the last session, or the default.
func (s *Shell) savedSize() fyne.Size {
	p := s.app.Preferences()
	w := float32(p.FloatWithFallback(prefWidth, float64(defaultSize.Width)))
	h := float32(p.FloatWithFallback(prefHeight, float64(defaultSize.Height)))
	return fyne.NewSize(fyne.Max(w, minSize.Width), fyne.Max(h, minSize.Height))
}

// saveSize keeps the window's size for the next session.
func (s *Shell) saveSize() {
	size := s.win.Canvas().Size()
	if size.Width < minSize.Width || size.Height < minSize.Height {
		return
	}
	p := s.app.Preferences()
	p.SetFloat(prefWidth, float64(size.Width))
	p.SetFloat(prefHeight, float64(size.Height))
}

// themePref is the theme choice kept from the last session.
func (s *Shell) themePref() string {
	c := s.app.Preferences().StringWithFallback(prefTheme, themeSystem)
	for _, x := range themeChoices {
		if x == c {
			return c
		}
	}
	return themeSystem
}

// setTheme applies the theme choice c and keeps it.
func (s *Shell) setTheme(c string) {
	s.app.Preferences().SetString(prefTheme, c)
	s.applyTheme(c)
}

// cycleTheme picks the next theme choice: System, Light, Dark, System…;
// the choice is kept for the next session.
func (s *Shell) cycleTheme() {
	next := themeChoices[0]
	for i, c := range themeChoices {
		if c == s.themeSel.Selected {
			next = themeChoices[(i+1)%len(themeChoices)]
		}
	}
	s.themeSel.SetSelected(next)
}

func (s *Shell) applyTheme(c string) {
	switch c {
	case themeLight:
		s.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight, fixed: true})
	case themeDark:
		s.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark, fixed: true})
	default:
		s.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme()})
	}
}

// appTheme is Fyne's theme with colours that read well: quiet text (hints,
// "never", "off") in a grey that keeps its contrast, and the success and
// warning colours dark enough for white. fixed draws one variant whatever
// the desktop asks for; otherwise the desktop's variant is followed.
type appTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
	fixed   bool
}

// The colours appTheme changes, by variant.
var (
	quietDark    = color.NRGBA{R: 0x8e, G: 0x8e, B: 0x92, A: 0xff} // on #171718: 5.9:1
	quietLight   = color.NRGBA{R: 0x76, G: 0x76, B: 0x76, A: 0xff} // on white: 4.5:1
	successLight = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x37, A: 0xff} // on white: 5.3:1
	warningLight = color.NRGBA{R: 0xa8, G: 0x5d, B: 0x00, A: 0xff} // on white: 4.6:1
	// In the light theme an enabled button has a grey face and a disabled one
	// almost none, as the quiet grey of its text is no longer enough to tell them apart.
	buttonLight         = color.NRGBA{R: 0xe2, G: 0xe2, B: 0xe6, A: 0xff}
	disabledButtonLight = color.NRGBA{R: 0xf8, G: 0xf8, B: 0xf8, A: 0xff}
)

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.fixed {
		v = t.variant
	}
	light := v == theme.VariantLight
	switch {
	case n == theme.ColorNameDisabled && light:
		return quietLight
	case n == theme.ColorNameDisabled:
		return quietDark
	case n == theme.ColorNameSuccess && light:
		return successLight
	case n == theme.ColorNameWarning && light:
		return warningLight
	case n == theme.ColorNameButton && light:
		return buttonLight
	case n == theme.ColorNameDisabledButton && light:
		return disabledButtonLight
	}
	return t.Theme.Color(n, v)
}
