// Package assets holds the bundled resources: the app icon.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the Switchyard app icon (512×512 PNG).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
