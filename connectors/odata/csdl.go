package odata

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"switchyard/core/meta"
)

// ErrNotCSDL is returned by ParseMetadata for a document that is not an OData CSDL (edmx) document.
var ErrNotCSDL = errors.New("the document is not OData CSDL metadata")

// Metadata is a parsed $metadata (CSDL XML) document: its schemas, entity
// types and entity sets. Type names are kept namespace-qualified, with
// aliases already replaced by their namespaces.
type Metadata struct {
	// Version is the Edmx Version attribute, "4.0" or "4.01" for OData v4.
	Version string
	// Schemas lists the document's schemas in order.
	Schemas []Schema
	// EntitySets lists the entity sets of every entity container, in document order.
	EntitySets []EntitySet
	// Singletons counts the singletons of every entity container.
	Singletons int

	types       map[string]*entityType         // qualified name → entity type
	complex     map[string]bool                // qualified names of complex types
	complexes   map[string]*entityType         // qualified name → complex type (members only)
	flat        map[string]map[string][]string // entity name → flattened field → property path
	enums       map[string]bool                // qualified names of enum types
	enumMembers map[string][]meta.EnumMember   // qualified enum type name → its members, in order
	typedefs    map[string]string              // qualified name → underlying primitive type
	aliases     map[string]string              // alias → namespace (schemas and references)
	annotations map[string][]termValue         // "Qualified.Type/Property" → out-of-line annotations
	setByType   map[string]string              // qualified type name → its first entity set
	setNames    map[string]bool                // names of the entity sets
}

// Schema is one CSDL schema.
type Schema struct {
	Namespace string
	Alias     string
}

// EntitySet is one entity set of an entity container.
type EntitySet struct {
	// Name is the entity set's name, the entity name Switchyard shows.
	Name string
	// Container names the entity container that holds the set.
	Container string
	// EntityType is the qualified name of the set's entity type.
	EntityType string
	// Bindings maps navigation property paths to the entity sets they lead to.
	Bindings map[string]string
}

// entityType is an entity type as declared, before its base types are
// resolved. Abstract types need no special case: they have no entity set and
// serve only as bases.
type entityType struct {
	name     string // qualified
	baseType string // qualified, "" for none
	open     bool   // OpenType: instances may carry properties not declared
	key      []string
	members  []member
}

// member is a structural or navigation property in declaration order.
type member struct {
	nav bool
	// For every member.
	name     string
	typ      string // qualified, with Collection(...) kept
	nullable bool
	// For structural properties.
	maxLength, precision, scale int
	readOnly                    bool
	createOnly                  bool // Core.Immutable: set on create only
	label                       string
	// For navigation properties: the dependent properties of the referential constraints.
	constraints    []string
	containsTarget bool
}

// termValue is one annotation: its qualified term and its value.
type termValue struct {
	term  string
	value string // the Bool, String or EnumMember value
}

// Vocabulary terms the parser understands.
const (
	termComputed    = "Org.OData.Core.V1.Computed"
	termImmutable   = "Org.OData.Core.V1.Immutable"
	termPermissions = "Org.OData.Core.V1.Permissions"
	termLabel       = "com.sap.vocabularies.Common.v1.Label"
)

// ParseMetadata reads a CSDL XML document. It streams the tokens, keeps what
// the catalog needs and skips the rest (functions, actions, most annotations).
func ParseMetadata(r io.Reader) (*Metadata, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	p := &parser{
		d: xml.NewDecoder(br),
		md: &Metadata{
			types:       map[string]*entityType{},
			complex:     map[string]bool{},
			complexes:   map[string]*entityType{},
			flat:        map[string]map[string][]string{},
			enums:       map[string]bool{},
			enumMembers: map[string][]meta.EnumMember{},
			typedefs:    map[string]string{},
			aliases:     map[string]string{},
			annotations: map[string][]termValue{},
		},
	}
	p.d.Strict = false
	p.d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
			return input, nil
		}
		return nil, fmt.Errorf("unsupported XML encoding %q: CSDL documents are UTF-8", charset)
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	p.md.resolveNames(p)
	return p.md, nil
}

// parser holds the state of one streaming parse.
type parser struct {
	d     *xml.Decoder
	md    *Metadata
	stack []string // local names of the open elements

	// Raw (unresolved) names as written, resolved once every alias is known.
	schemaNS  string
	container string
	typ       *entityType
	cplx      *entityType // the open <ComplexType>
	prop      *member
	set       *EntitySet
	target    string // the Target of an <Annotations> element
	term      string // the Term of the open <Annotation>, resolved later
	text      strings.Builder
	inEnum    bool   // inside <EnumMember>
	enumType  string // the qualified name of the open <EnumType>
	pending   []pendingAnnotation
	rawTypes  []*entityType
	rawCplx   []*entityType
}

// pendingAnnotation is an annotation whose term alias is resolved after parsing.
type pendingAnnotation struct {
	owner  *entityType // inline on property index of owner, or nil
	index  int
	target string // out-of-line target, raw
	term   string // raw term
	value  string
}

func (p *parser) parent() string {
	if len(p.stack) < 2 {
		return ""
	}
	return p.stack[len(p.stack)-2]
}

func (p *parser) run() error {
	sawRoot := false
	for {
		tok, err := p.d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var syntax *xml.SyntaxError
			if !sawRoot && errors.As(err, &syntax) {
				return fmt.Errorf("%w: %v", ErrNotCSDL, err)
			}
			if errors.As(err, &syntax) && syntax.Msg == "unexpected EOF" {
				return fmt.Errorf("parse CSDL: the document ends at line %d inside an element: it was cut short", syntax.Line)
			}
			return fmt.Errorf("parse CSDL: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.stack = append(p.stack, t.Name.Local)
			if !sawRoot {
				sawRoot = true
				if t.Name.Local != "Edmx" {
					return fmt.Errorf("%w: its root element is <%s>, not <edmx:Edmx>", ErrNotCSDL, t.Name.Local)
				}
				p.md.Version = attr(t, "Version")
				continue
			}
			p.start(t)
		case xml.EndElement:
			if len(p.stack) == 0 {
				return fmt.Errorf("parse CSDL: unexpected </%s>", t.Name.Local)
			}
			if open := p.stack[len(p.stack)-1]; open != t.Name.Local {
				return fmt.Errorf("parse CSDL: </%s> closes <%s>: the document is malformed", t.Name.Local, open)
			}
			p.end(p.stack[len(p.stack)-1])
			p.stack = p.stack[:len(p.stack)-1]
		case xml.CharData:
			if p.inEnum {
				p.text.Write(t)
			}
		}
	}
	if !sawRoot {
		return fmt.Errorf("%w: it is empty or has no XML elements", ErrNotCSDL)
	}
	if n := len(p.stack); n > 0 {
		return fmt.Errorf("parse CSDL: the document ends inside <%s>: it was cut short", p.stack[n-1])
	}
	if len(p.md.Schemas) == 0 {
		return fmt.Errorf("%w: it has no Schema", ErrNotCSDL)
	}
	for _, set := range p.md.EntitySets {
		if set.Name == "" || set.EntityType == "" {
			return fmt.Errorf("parse CSDL: an <EntitySet> of container %q lacks its Name or EntityType (Name=%q, EntityType=%q)",
				set.Container, set.Name, set.EntityType)
		}
	}
	return nil
}

// start takes in the opening tag of an element of the document.
func (p *parser) start(t xml.StartElement) {
	switch t.Name.Local {
	case "Include", "Schema", "TypeDefinition":
		p.startSchema(t)
	case "EntityType", "ComplexType", "EnumType", "Member":
		p.startType(t)
	case "PropertyRef", "Property", "NavigationProperty", "ReferentialConstraint":
		p.startMember(t)
	case "EntityContainer", "EntitySet", "Singleton", "NavigationPropertyBinding":
		p.startContainer(t)
	case "Annotations", "Annotation", "EnumMember":
		p.startAnnotations(t)
	}
}

// startSchema takes in the elements of a Schema itself: references, the schema, type definitions.
func (p *parser) startSchema(t xml.StartElement) {
	switch t.Name.Local {
	case "Include": // edmx:Reference/edmx:Include
		if alias := attr(t, "Alias"); alias != "" {
			p.md.aliases[alias] = attr(t, "Namespace")
		}
	case "Schema":
		p.schemaNS = attr(t, "Namespace")
		s := Schema{Namespace: p.schemaNS, Alias: attr(t, "Alias")}
		p.md.Schemas = append(p.md.Schemas, s)
		if s.Alias != "" {
			p.md.aliases[s.Alias] = s.Namespace
		}
	case "TypeDefinition":
		if p.parent() == "Schema" {
			p.md.typedefs[p.schemaNS+"."+attr(t, "Name")] = attr(t, "UnderlyingType")
		}
	}
}

// startType takes in the entity, complex and enumeration types of a schema, and enumeration members.
func (p *parser) startType(t xml.StartElement) {
	switch t.Name.Local {
	case "EntityType":
		if p.parent() == "Schema" {
			p.typ = &entityType{
				name:     p.schemaNS + "." + attr(t, "Name"),
				baseType: attr(t, "BaseType"),
				open:     attr(t, "OpenType") == "true",
			}
			p.rawTypes = append(p.rawTypes, p.typ)
		}
	case "ComplexType":
		if p.parent() == "Schema" {
			p.md.complex[p.schemaNS+"."+attr(t, "Name")] = true
			p.cplx = &entityType{name: p.schemaNS + "." + attr(t, "Name"), baseType: attr(t, "BaseType")}
			p.rawCplx = append(p.rawCplx, p.cplx)
		}
	case "EnumType":
		if p.parent() == "Schema" {
			p.enumType = p.schemaNS + "." + attr(t, "Name")
			p.md.enums[p.enumType] = true
		}
	case "Member":
		if p.parent() == "EnumType" && p.enumType != "" {
			members := p.md.enumMembers[p.enumType]
			value := attr(t, "Value")
			if value == "" { // CSDL: members without values count from 0
				value = strconv.Itoa(len(members))
			}
			p.md.enumMembers[p.enumType] = append(members, meta.EnumMember{Name: attr(t, "Name"), Value: value})
		}
	}
}

// startMember takes in the members of an entity or complex type: keys, properties, navigation properties and their constraints.
func (p *parser) startMember(t xml.StartElement) {
	switch t.Name.Local {
	case "PropertyRef":
		if p.typ != nil && p.parent() == "Key" {
			p.typ.key = append(p.typ.key, attr(t, "Name"))
		}
	case "Property":
		if owner := p.owner(); owner != nil && (p.parent() == "EntityType" || p.parent() == "ComplexType") {
			owner.members = append(owner.members, member{
				name:      attr(t, "Name"),
				typ:       attr(t, "Type"),
				nullable:  attr(t, "Nullable") != "false",
				maxLength: atoi(attr(t, "MaxLength")),
				precision: atoi(attr(t, "Precision")),
				scale:     atoi(attr(t, "Scale")),
			})
			p.prop = &owner.members[len(owner.members)-1]
		}
	case "NavigationProperty":
		if p.typ != nil && p.parent() == "EntityType" {
			p.typ.members = append(p.typ.members, member{
				nav:            true,
				name:           attr(t, "Name"),
				typ:            attr(t, "Type"),
				nullable:       attr(t, "Nullable") != "false",
				containsTarget: attr(t, "ContainsTarget") == "true",
			})
			p.prop = &p.typ.members[len(p.typ.members)-1]
		}
	case "ReferentialConstraint":
		if p.prop != nil && p.prop.nav && p.parent() == "NavigationProperty" {
			p.prop.constraints = append(p.prop.constraints, attr(t, "Property"))
		}
	}
}

// startContainer takes in the entity container: entity sets, singletons and navigation bindings.
func (p *parser) startContainer(t xml.StartElement) {
	switch t.Name.Local {
	case "EntityContainer":
		if p.parent() == "Schema" {
			p.container = attr(t, "Name")
		}
	case "EntitySet":
		if p.parent() == "EntityContainer" {
			p.md.EntitySets = append(p.md.EntitySets, EntitySet{
				Name:       attr(t, "Name"),
				Container:  p.container,
				EntityType: attr(t, "EntityType"),
				Bindings:   map[string]string{},
			})
			p.set = &p.md.EntitySets[len(p.md.EntitySets)-1]
		}
	case "Singleton":
		if p.parent() == "EntityContainer" {
			p.md.Singletons++
		}
	case "NavigationPropertyBinding":
		if p.set != nil && p.parent() == "EntitySet" {
			p.set.Bindings[attr(t, "Path")] = attr(t, "Target")
		}
	}
}

// startAnnotations takes in annotations and the enumeration members they hold.
func (p *parser) startAnnotations(t xml.StartElement) {
	switch t.Name.Local {
	case "Annotations":
		if p.parent() == "Schema" {
			p.target = attr(t, "Target")
		}
	case "Annotation":
		p.annotationStart(t)
	case "EnumMember":
		if p.term != "" && p.parent() == "Annotation" {
			p.inEnum = true
			p.text.Reset()
		}
	}
}

// annotationStart records an annotation on a property, inline or out of line.
func (p *parser) annotationStart(t xml.StartElement) {
	if attr(t, "Qualifier") != "" {
		return
	}
	var owner *entityType
	index := 0
	target := ""
	switch {
	case p.prop != nil && !p.prop.nav && p.parent() == "Property":
		owner = p.owner()
		index = len(owner.members) - 1
	case p.target != "" && p.parent() == "Annotations":
		target = p.target
	default:
		return
	}
	value := attr(t, "Bool")
	if value == "" {
		value = attr(t, "String")
	}
	if value == "" {
		value = attr(t, "EnumMember")
	}
	p.term = attr(t, "Term")
	p.pending = append(p.pending, pendingAnnotation{owner: owner, index: index, target: target, term: p.term, value: value})
}

func (p *parser) end(local string) {
	switch local {
	case "EntityType":
		if p.parent() == "Schema" {
			p.typ = nil
		}
	case "ComplexType":
		if p.parent() == "Schema" {
			p.cplx = nil
		}
	case "Property", "NavigationProperty":
		if p.parent() == "EntityType" || p.parent() == "ComplexType" {
			p.prop = nil
		}
	case "EntitySet":
		if p.parent() == "EntityContainer" {
			p.set = nil
		}
	case "EntityContainer":
		p.container = ""
	case "Annotations":
		if p.parent() == "Schema" {
			p.target = ""
		}
	case "Annotation":
		if p.term != "" && (p.parent() == "Property" || p.parent() == "Annotations") {
			p.term = ""
		}
	case "EnumMember":
		if p.inEnum {
			p.inEnum = false
			// The value of an annotation with nested EnumMember (e.g. Core.Permissions) is its text.
			if n := len(p.pending); n > 0 && p.pending[n-1].value == "" {
				p.pending[n-1].value = strings.TrimSpace(p.text.String())
			}
		}
	case "Schema":
		p.schemaNS = ""
	}
}

// resolveNames replaces aliases by namespaces in every type name and term,
// applies the annotations, and indexes the entity types.
func (md *Metadata) resolveNames(p *parser) {
	for _, t := range p.rawTypes {
		t.baseType = md.qualify(t.baseType)
		for j := range t.members {
			t.members[j].typ = md.qualify(t.members[j].typ)
		}
		md.types[t.name] = t
	}
	for _, t := range p.rawCplx {
		t.baseType = md.qualify(t.baseType)
		for j := range t.members {
			t.members[j].typ = md.qualify(t.members[j].typ)
		}
		md.complexes[t.name] = t
	}
	md.setByType = make(map[string]string, len(md.EntitySets))
	md.setNames = make(map[string]bool, len(md.EntitySets))
	for i := range md.EntitySets {
		set := &md.EntitySets[i]
		md.setNames[set.Name] = true
		set.EntityType = md.qualify(set.EntityType)
		if _, dup := md.setByType[set.EntityType]; !dup {
			md.setByType[set.EntityType] = set.Name
		}
		for path, target := range set.Bindings {
			// A path may start with a type cast ("Alias.Flight/From"): qualify it.
			if cast, rest, ok := strings.Cut(path, "/"); ok && strings.Contains(cast, ".") {
				if q := md.qualify(cast); q != cast {
					delete(set.Bindings, path)
					set.Bindings[q+"/"+rest] = target
				}
			}
		}
	}
	for k, v := range md.typedefs {
		md.typedefs[k] = md.qualify(v)
	}
	for _, a := range p.pending {
		tv := termValue{term: md.qualify(a.term), value: a.value}
		if a.owner != nil {
			a.owner.members[a.index].apply(tv)
			continue
		}
		typ, prop, ok := strings.Cut(a.target, "/")
		if !ok || strings.Contains(prop, "/") {
			continue // only Type/Property targets are used
		}
		key := md.qualify(typ) + "/" + prop
		md.annotations[key] = append(md.annotations[key], tv)
	}
	for name, t := range md.allTypes() {
		for j := range t.members {
			for _, tv := range md.annotations[name+"/"+t.members[j].name] {
				t.members[j].apply(tv)
			}
		}
	}
}

// apply sets what an annotation says about a structural property.
func (m *member) apply(tv termValue) {
	switch tv.term {
	case termComputed:
		if tv.value == "" || tv.value == "true" {
			m.readOnly = true
		}
	case termPermissions:
		if strings.HasSuffix(tv.value, "/Read") {
			m.readOnly = true
		}
	case termImmutable:
		if tv.value == "" || tv.value == "true" {
			m.createOnly = true
		}
	case termLabel:
		m.label = tv.value
	}
}

// qualify replaces the alias of a qualified name by its namespace, inside Collection(...) too.
func (md *Metadata) qualify(name string) string {
	if name == "" {
		return ""
	}
	if inner, ok := collectionOf(name); ok {
		return "Collection(" + md.qualify(inner) + ")"
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name
	}
	if ns, ok := md.aliases[name[:i]]; ok && ns != "" {
		return ns + name[i:]
	}
	return name
}

// collectionOf returns T for "Collection(T)".
func collectionOf(name string) (string, bool) {
	if strings.HasPrefix(name, "Collection(") && strings.HasSuffix(name, ")") {
		return name[len("Collection(") : len(name)-1], true
	}
	return "", false
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// atoi reads a facet such as MaxLength; "max", "variable" and garbage give 0.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
