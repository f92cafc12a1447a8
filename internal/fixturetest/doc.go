// Package fixturetest holds tests that run core code on real external
// schemas: the public $metadata documents in ../shared/fixtures, parsed by
// the connectors. core/ may not import connectors, so these tests live here.
package fixturetest
