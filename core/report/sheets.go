package report

import (
	"fmt"
	"math"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

// header styles the first row of every sheet.
func headerStyle(f *excelize.File) (int, error) {
	return f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
	})
}

// startSheet creates sheet name (renaming the default one for the first),
// sets column widths, freezes the header row and writes it.
func startSheet(f *excelize.File, name string, first bool, headers []string, widths []float64) (*excelize.StreamWriter, error) {
	if first {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return nil, err
	}
	if err := printLayout(f, name); err != nil { // before streaming: the stream writes the sheet whole
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	style, err := headerStyle(f)
	if err != nil {
		return nil, err
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = excelize.Cell{StyleID: style, Value: h}
	}
	return sw, sw.SetRow("A1", row)
}

// finishSheet flushes sw and puts an autofilter on the rows written.
func finishSheet(f *excelize.File, sw *excelize.StreamWriter, name string, cols, rows int) error {
	if err := sw.Flush(); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(cols, max(rows, 2))
	if err != nil {
		return err
	}
	return f.AutoFilter(name, "A1:"+last, nil)
}

var summaryHeaders = []string{"Entity", "Local entity", "Direction", "All", "Imported", "Exported", "Updated", "Unchanged", "Failed", "Warnings",
	"Duration (s)", "Counted by the system", "Read"}

func summarySheet(f *excelize.File, res *engine.Result) error {
	sw, err := startSheet(f, "Summary", true, summaryHeaders, []float64{28, 22, 11, 9, 10, 10, 10, 11, 9, 10, 13, 22, 10})
	if err != nil {
		return err
	}
	row := 2
	for _, e := range res.Entities {
		c := e.Counts
		cell, _ := excelize.CoordinatesToCellName(1, row)
		values := []any{e.Entity, e.LocalEntity, string(e.Direction), c.All, c.Imported, c.Exported, c.Updated, c.Unchanged, c.Failed, c.Warnings, math.Round(e.Duration.Seconds()*100) / 100}
		if e.Check != nil { // the reconciliation of the read with the system's count
			values = append(values, e.Check.Counted, e.Check.Read)
		}
		err := sw.SetRow(cell, values)
		if err != nil {
			return err
		}
		row++
	}
	status := fmt.Sprintf("%s — %s", res.Status, res.Summary())
	if res.Err != nil {
		status += " — " + res.Err.Error()
	}
	cell, _ := excelize.CoordinatesToCellName(1, row+1)
	if err := sw.SetRow(cell, []any{"Integration", res.Integration}); err != nil {
		return err
	}
	cell, _ = excelize.CoordinatesToCellName(1, row+2)
	if err := sw.SetRow(cell, []any{"Started", res.Started.Format("2006-01-02 15:04:05 MST")}); err != nil {
		return err
	}
	cell, _ = excelize.CoordinatesToCellName(1, row+3)
	if err := sw.SetRow(cell, []any{"Result", status}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(summaryHeaders), max(row-1, 2))
	return f.AutoFilter("Summary", "A1:"+last, nil)
}

var entityHeaders = []string{"Key", "Action", "Status", "Changed fields", "Error"}

// entitySheet starts sheet name listing rows records (key, action, status,
// changed fields and error): excelize writes it with its header row, and the
// rows spooled during the run go in as the workbook is saved (splice.go). It
// returns the sheet's path in the package.
func entitySheet(f *excelize.File, name string, rows int) (string, error) {
	sw, err := startSheet(f, name, false, entityHeaders, []float64{40, 12, 10, 60, 60})
	if err != nil {
		return "", err
	}
	if err := finishSheet(f, sw, name, len(entityHeaders), rows+1); err != nil {
		return "", err
	}
	return fmt.Sprintf("xl/worksheets/sheet%d.xml", sw.SheetID), nil
}
