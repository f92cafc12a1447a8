package odata

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
)

// The systems Test recognises.
const (
	SystemCAP             = "SAP CAP"
	SystemDynamics        = "Dynamics 365 / Dataverse"
	SystemBusinessCentral = "Business Central"
)

// serviceDocument is the JSON service document at the service root.
type serviceDocument struct {
	Context string         `json:"@odata.context"`
	Value   []serviceEntry `json:"value"`
}

// serviceEntry is one entity set (or singleton, function import) of a service document.
type serviceEntry struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// Test fetches the service document and $metadata and reports the OData
// version, the number of entity sets and, when it can tell, the system. A
// service document in XML (some servers answer so even when asked for JSON)
// is accepted when $metadata is OData v4 CSDL. It retries at most once, so
// that a person waiting for it hears back soon.
func (c *Client) Test(ctx context.Context) (connector.Report, error) {
	var doc serviceDocument
	root, err := c.probe.GetJSON(ctx, "", nil, &doc)
	var notJSON error // the service document is XML: $metadata decides
	switch {
	case err != nil && root != nil && root.Status < 400:
		err = fmt.Errorf("%w: %s does not answer with an OData service document: check the service root URL: %w",
			ErrNotOData, httpx.RedactURL(c.settings.URL), err)
		sets, ok := xmlServiceDocument(root.Body)
		if !ok {
			return connector.Report{}, err
		}
		notJSON, doc.Value = err, sets
	case err != nil:
		return connector.Report{}, c.explain(err)
	case doc.Value == nil:
		return connector.Report{}, fmt.Errorf("%w: %s answers with JSON that is not an OData service document (no \"value\" list): check the service root URL",
			ErrNotOData, httpx.RedactURL(c.settings.URL))
	}
	md, mdResp, err := c.metadata(ctx, c.probe)
	if err != nil {
		if notJSON != nil {
			return connector.Report{}, fmt.Errorf("%w; nor is its $metadata usable: %v", notJSON, err)
		}
		return connector.Report{}, err
	}
	_, skipped, err := md.Entities()
	if err != nil {
		return connector.Report{}, fmt.Errorf("read the catalog of %s: %w", httpx.RedactURL(c.settings.URL), err)
	}

	rep := connector.Report{
		System:   detectSystem(root.Header, doc.Context, md),
		Version:  odataVersion(root.Header, mdResp.Header, md),
		Entities: len(md.EntitySets),
	}
	sets := 0
	for _, v := range doc.Value {
		if v.Kind == "" || v.Kind == "EntitySet" {
			sets++
		}
	}
	listed := fmt.Sprintf("service document lists %d entity sets", sets)
	if notJSON != nil {
		listed = fmt.Sprintf("service document is XML, not JSON (%s), and lists %d collections", orNone(root.Header.Get("Content-Type")), sets)
	}
	rep.Details = append(rep.Details,
		fmt.Sprintf("OData %s service at %s", rep.Version, httpx.RedactURL(c.settings.URL)),
		fmt.Sprintf("%s; $metadata declares %d entity sets, %d singletons and %d entity types",
			listed, len(md.EntitySets), md.Singletons, len(md.types)),
		"schemas: "+schemaList(md.Schemas),
	)
	rep.Details = append(rep.Details, skipped.Details()...)
	if p := DetectPreset(c.settings.URL); p != PresetGeneric {
		rep.Details = append(rep.Details, "the URL looks like "+Presets[p].System)
	}
	if rep.System == "" && c.settings.Preset.Name != PresetGeneric {
		rep.System = c.settings.Preset.System
	}
	first := ""
	for _, v := range doc.Value {
		if v.Kind == "" || v.Kind == "EntitySet" {
			first = v.Name
			break
		}
	}
	if line, err := c.readOne(ctx, md, first); err != nil {
		return rep, fmt.Errorf("read a record to prove access: %w", err)
	} else if line != "" {
		rep.Details = append(rep.Details, line)
	}
	return rep, nil
}

// readOne reads one record of the entity set first (the service document's
// first, else the first $metadata declares) to prove that the credentials
// may read data, and says what it found.
func (c *Client) readOne(ctx context.Context, md *Metadata, first string) (string, error) {
	set := first
	if set == "" && len(md.EntitySets) > 0 {
		set = md.EntitySets[0].Name
	}
	if set == "" {
		return "", nil
	}
	var page pageBody
	_, err := c.probe.GetJSON(ctx, c.setPath(set), url.Values{"$top": {"1"}}, &page)
	if httpx.StatusOf(err) == http.StatusNotFound {
		return fmt.Sprintf("read entity set %s: it is not found (404) at the service root; the catalog names it, so check that the user may see it", set), nil
	}
	if err != nil {
		return "", c.explain(err)
	}
	if len(page.Value) == 0 {
		return fmt.Sprintf("read entity set %s: it is empty", set), nil
	}
	return fmt.Sprintf("read one record of entity set %s", set), nil
}

// odataVersion takes the OData-Version header of the service document, else
// of $metadata, else the CSDL version.
func odataVersion(rootHeader, mdHeader http.Header, md *Metadata) string {
	for _, h := range []http.Header{rootHeader, mdHeader} {
		if v := strings.TrimSpace(h.Get("OData-Version")); v != "" {
			return v
		}
	}
	return md.Version
}

// detectSystem names the system behind the service, or "" when it cannot tell.
func detectSystem(rootHeader http.Header, context string, md *Metadata) string {
	for _, s := range md.Schemas {
		switch {
		case s.Namespace == "Microsoft.Dynamics.CRM":
			return SystemDynamics
		case s.Namespace == "Microsoft.NAV" || strings.HasPrefix(s.Namespace, "Microsoft.NAV."):
			return SystemBusinessCentral
		}
	}
	if strings.Contains(rootHeader.Get("X-Powered-By"), "Express") && context == "$metadata" {
		return SystemCAP
	}
	return ""
}

func schemaList(schemas []Schema) string {
	names := make([]string, len(schemas))
	for i, s := range schemas {
		names[i] = s.Namespace
		if s.Alias != "" {
			names[i] += " (alias " + s.Alias + ")"
		}
	}
	return strings.Join(names, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}

// xmlServiceDocument reads a service document in XML (AtomPub <service>, as
// OData v2 and some v4 servers answer) and returns its collections as the
// entries of a JSON one. It returns false when the body is not XML, or is an
// HTML page (a web site at the URL, not an OData service).
func xmlServiceDocument(body []byte) ([]serviceEntry, bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	var sets []serviceEntry
	root := ""
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && root != "" {
				return sets, true
			}
			return nil, false
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
			if strings.EqualFold(root, "html") {
				return nil, false
			}
			continue
		}
		if root == "service" && se.Name.Local == "collection" {
			for _, a := range se.Attr {
				if a.Name.Local == "href" {
					sets = append(sets, serviceEntry{Name: a.Value, Kind: "EntitySet", URL: a.Value})
				}
			}
		}
	}
}
