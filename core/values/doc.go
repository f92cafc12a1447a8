// Package values is Switchyard's value codec: one set of rules, by meta field
// type, for the values a connector receives (JSON values or text), the Go
// values records carry (see meta.Record) and the values the workspace stores
// (see docs/workspace.md). It parses and formats date-times, dates,
// decimals, integers, booleans and GUIDs, infers a type from a value, and
// encodes (Stored), decodes (FromStored) and compares workspace values. A
// connector's own wire rules (OData literals, Excel serial dates, a file's
// locale) are built on it.
//
// The rules, by field type:
//   - datetime: read from ISO 8601 with an offset (Z, +01:00, +0100), or
//     without one (then UTC), with any fraction of a second, or a date alone
//     (ParseDateTime; ParseDateTimeOffset where the offset is required);
//     always a time.Time in UTC in records; stored with milliseconds, or
//     seven digits when finer (FormatStored); sent as RFC 3339
//     (FormatRFC3339) or with milliseconds (FormatMillis).
//   - date: "YYYY-MM-DD" text, the day as written, never moved by a zone.
//   - decimal: json.Number, every digit kept; stored as canonical text.
//   - int, double, bool: int64, float64, bool; stored as int64, float64, 0/1.
//   - guid: lower-case text (meta.NewGUID and meta.IsGUIDText, by
//     github.com/google/uuid).
//   - null: nil, whatever the type.
package values
