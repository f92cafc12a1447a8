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

// toggleTheme switches between the light and the dark theme.
func (s *Shell) toggleTheme() {
	next := themeDark
	if s.themeSel.Selected == themeDark || (s.themeSel.Selected == themeSystem && s.app.Settings().ThemeVariant() == theme.VariantDark) {
		next = themeLight
	}
	s.themeSel.SetSelected(next)
}

func (s *Shell) applyTheme(c string) {
	switch c {
	case themeLight:
		s.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case themeDark:
		s.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		s.app.Settings().SetTheme(theme.DefaultTheme())
	}
}

// variantTheme is a theme that always draws one variant, light or dark,
// whatever the desktop asks for.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
