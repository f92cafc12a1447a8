package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is the relative luminance of c (WCAG 2).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of a and b.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestThemeContrast: quiet text (hints, "never", "off") and the success and
// warning colours read on the background in both variants (WCAG AA, 4.5:1).
func TestThemeContrast(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		th := appTheme{Theme: theme.DefaultTheme(), variant: v, fixed: true}
		bg := th.Color(theme.ColorNameBackground, v)
		for _, n := range []fyne.ThemeColorName{theme.ColorNameDisabled, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameForeground} {
			if c := contrast(th.Color(n, v), bg); c < 4.5 {
				t.Errorf("variant %d: %s on the background has contrast %.1f:1, want 4.5:1", v, n, c)
			}
		}
	}
}
