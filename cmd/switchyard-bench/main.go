// Command switchyard-bench measures Switchyard against the limits of the
// machine it runs on and prints one table (see docs/performance.md):
//
//	go run ./cmd/switchyard-bench [-records 1000000] [-pagesize 5000] [-fixtures ../shared/fixtures] [-cap 100000] [-cpuprofile c.prof] [-memprofile m.prof] [-capprofile p.prof]
//
// 1. Engine vs its limits: an in-process OData server with generated pages of
// a 20-field entity; (a) only fetching and decoding every page through the
// OData connector, (b) only writing the same rows into a workspace table as
// an import writes them (Store.Apply, one transaction and one prepared
// statement per page, the key the import matches by indexed), (c) a full
// import through the engine, in a child process whose peak RSS is reported
// (and whose CPU profile -cpuprofile writes).
// 2. Against a real server: the CAP test server (testdata/cap, Node.js) with
// -cap generated records; the time of a full import against the time to only
// page through the same records with a plain HTTP client.
// 3. Incremental: on the same server, a first (full) sync, then -changes
// records changed, then the incremental sync that brings them.
// 4. Upload: -uploads local rows exported to the same server with JSON
// $batch requests of 100, against only POSTing the same batches.
// 6. Two-way: the CAP server's Sites (-twoway records, GUID keys); paging
// through them against a first bidirectional sync (which writes nothing),
// then a sync of 1 % changes on each side against that full sync.
// 5. Metadata and mapping: parsing the Dynamics CSDL fixture; suggestions for
// a 400×400 field mapping.
// 7. Reports: part 1's full import without and with an Excel report of every
// record, time and peak RSS side by side (report.go; -report=false skips it).
// 8. PostgreSQL: part 1c's import into a PostgreSQL workspace against psql's
// \copy of the same rows (pgimport.go; skipped without $SWITCHYARD_PG_URL).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"switchyard/connectors/odata"
	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// options are the command line's flags.
type options struct {
	records, pageSize                  int
	fixtures, capDir                   string
	child                              bool
	capItems, changes, uploads, twoWay int
	cpuProfile, memProfile, capProfile string
	withReport, onlyPG                 bool
	childReport                        string
}

func parseOptions() options {
	var o options
	flag.IntVar(&o.records, "records", 1_000_000, "records of the generated entity")
	flag.IntVar(&o.pageSize, "pagesize", 5000, "records per page")
	flag.StringVar(&o.fixtures, "fixtures", "../shared/fixtures", "the folder of the shared $metadata fixtures")
	flag.BoolVar(&o.child, "child-import", false, "internal: run only the full import and print its duration")
	flag.IntVar(&o.capItems, "cap", 100_000, "records of the CAP test server for part 2 (0 skips it)")
	flag.IntVar(&o.changes, "changes", 100, "records changed on the CAP server before the incremental sync of part 3")
	flag.IntVar(&o.uploads, "uploads", 10_000, "local rows exported to the CAP server in part 4 (0 skips it)")
	flag.IntVar(&o.twoWay, "twoway", 100_000, "records of the CAP server's Sites synchronised both ways in part 6 (0 skips it)")
	flag.StringVar(&o.capDir, "capdir", "testdata/cap", "the folder of the CAP test server (serve.js)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the full import (1c) to this file")
	flag.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile of the full import (1c) to this file")
	flag.StringVar(&o.capProfile, "capprofile", "", "write a CPU profile of part 2's imports from the CAP server to this file")
	flag.BoolVar(&o.withReport, "report", true, "part 7: the full import without and with an Excel report of every record (false skips it)")
	flag.StringVar(&o.childReport, "child-report", "", "internal: with -child-import, also write an Excel report of every record to this file")
	flag.BoolVar(&o.onlyPG, "only-pg", false, "run only part 8, the PostgreSQL import against psql \\copy")
	flag.StringVar(&pgWorkspace, "child-workspace", "", "internal: with -child-import, import into this PostgreSQL workspace instead of a new file")
	flag.Parse()
	return o
}

// results are every part's figures, or why a part was skipped.
type results struct {
	fetch, write, full time.Duration
	rss                int64
	cpu                time.Duration
	ct                 capTimes
	capErr             error
	tw6                twoWayTimes
	twoWayErr          error
	rt                 reportTimes
	reportErr          error
	csdl               time.Duration
	csdlErr            error
	suggest            time.Duration
	pg                 pgTimes
	pgErr              error
}

func main() {
	o := parseOptions()
	ctx := context.Background()
	srv := itemServer(o.records, o.pageSize)
	defer srv.Close()
	url := srv.URL + "/odata/"
	if o.child {
		childMain(ctx, o, url)
		return
	}
	if o.onlyPG {
		t, err := measurePG(ctx, o.records, o.pageSize)
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "MEASURE\tTIME\tRATE\tTARGET\n")
		printPG(tw, o, t, err)
		tw.Flush()
		return
	}
	var r results
	var err error
	if r.fetch, err = measureFetch(ctx, url, o.records, o.pageSize); err != nil {
		fail(err)
	}
	if r.write, err = measureWrite(ctx, o.records, o.pageSize); err != nil {
		fail(err)
	}
	if r.full, r.rss, r.cpu, err = childImport(o.records, o.pageSize, o.cpuProfile, o.memProfile); err != nil {
		fail(err)
	}
	r.capErr = fmt.Errorf("-cap 0")
	if o.capItems > 0 {
		r.ct, r.capErr = measureCAP(ctx, o.capDir, o.capItems, o.changes, o.uploads, o.capProfile)
	}
	r.twoWayErr = fmt.Errorf("-twoway 0")
	if o.twoWay > 0 {
		r.tw6, r.twoWayErr = measureTwoWay(ctx, o.capDir, o.twoWay)
	}
	r.rt, r.reportErr = measureReport(o.records, o.pageSize, o.withReport)
	r.csdl, r.csdlErr = measureCSDL(filepath.Join(o.fixtures, "dynamics-crm-webapi-v8.xml"))
	r.suggest = measureSuggest()
	r.pg, r.pgErr = measurePG(ctx, o.records, o.pageSize)

	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "MEASURE\tTIME\tRATE\tTARGET\n")
	printEngine(tw, o, r)
	printCAP(tw, o, r)
	printUpload(tw, o, r)
	printMetadata(tw, r)
	printTwoWay(tw, o, r)
	printReport(tw, r.rt, r.reportErr, o.records)
	printPG(tw, o, r.pg, r.pgErr)
	tw.Flush()
}

// childMain is the child process of part 1c (and 7): the full import alone,
// printing its duration in seconds.
func childMain(ctx context.Context, o options, url string) {
	if o.cpuProfile != "" {
		stop, err := startProfile(o.cpuProfile)
		if err != nil {
			fail(err)
		}
		defer stop()
	}
	measure := measureImport
	if o.childReport != "" {
		measure = reportImport(o.childReport)
	}
	d, err := measure(ctx, url, o.records, o.pageSize)
	if err != nil {
		fail(err)
	}
	if o.memProfile != "" {
		if err := writeAllocs(o.memProfile); err != nil {
			fail(err)
		}
	}
	fmt.Println(d.Seconds())
}

// perSecond is n records in d as a rate.
func perSecond(n int, d time.Duration) string {
	return fmt.Sprintf("%.0f records/s", float64(n)/d.Seconds())
}

// printEngine prints part 1: the engine against its limits.
func printEngine(tw io.Writer, o options, r results) {
	rate := func(d time.Duration) string { return perSecond(o.records, d) }
	fmt.Fprintf(tw, "1a fetch + decode %d records (pages of %d)\t%s\t%s\t\n", o.records, o.pageSize, r.fetch.Round(time.Millisecond), rate(r.fetch))
	fmt.Fprintf(tw, "1b write the same rows to the workspace\t%s\t%s\t\n", r.write.Round(time.Millisecond), rate(r.write))
	fmt.Fprintf(tw, "1c full import (map, convert, upsert, log)\t%s\t%s\t≥ 100000 records/s\n", r.full.Round(time.Millisecond), rate(r.full))
	fmt.Fprintf(tw, "1  ratio c / max(a, b)\t%.2f\t\t≤ 1.3\n", r.full.Seconds()/max(r.fetch.Seconds(), r.write.Seconds()))
	fmt.Fprintf(tw, "1  peak RSS of c\t%d MB\t\t≤ 150 MB\n", r.rss/1024)
	fmt.Fprintf(tw, "1  CPU time of c (user + system)\t%s\t%.1f µs/record\t\n", r.cpu.Round(time.Millisecond), float64(r.cpu.Microseconds())/float64(o.records))
}

// printCAP prints parts 2 and 3: import and incremental sync from CAP.
func printCAP(tw io.Writer, o options, r results) {
	ct := r.ct
	if r.capErr != nil {
		fmt.Fprintf(tw, "2  CAP: import against paging\tskipped: %v\t\t≤ 1.15\n", r.capErr)
		fmt.Fprintf(tw, "3  CAP: incremental sync against full\tskipped: %v\t\t≤ 5 %%\n", r.capErr)
		return
	}
	capRate := func(d time.Duration) string { return perSecond(o.capItems, d) }
	fmt.Fprintf(tw, "2  CAP: page through %d records (plain HTTP, pages of 1000)\t%s\t%s\t\n", o.capItems, ct.plain.Round(time.Millisecond), capRate(ct.plain))
	fmt.Fprintf(tw, "2  CAP: full import of the same records\t%s\t%s\t\n", ct.full.Round(time.Millisecond), capRate(ct.full))
	fmt.Fprintf(tw, "2  ratio import / paging\t%.2f\t\t≤ 1.15\n", ct.full.Seconds()/ct.plain.Seconds())
	cpu := func(c cpuTimes) string {
		return fmt.Sprintf("%s + server %s", c.self.Round(10*time.Millisecond), c.server.Round(10*time.Millisecond))
	}
	fmt.Fprintf(tw, "2  CPU time: paging, this process + CAP server\t%s\t\t\n", cpu(ct.plainCPU))
	fmt.Fprintf(tw, "2  CPU time: import, this process + CAP server\t%s\t%.1f µs/record here\t\n", cpu(ct.fullCPU), float64(ct.fullCPU.self.Microseconds())/float64(o.capItems))
	if ct.syncErr != nil {
		fmt.Fprintf(tw, "3  CAP: incremental sync against full\tskipped: %v\t\t≤ 5 %%\n", ct.syncErr)
		return
	}
	fmt.Fprintf(tw, "3  CAP: first (full) sync of the same records\t%s\t%s\t\n", ct.syncFull.Round(time.Millisecond), capRate(ct.syncFull))
	fmt.Fprintf(tw, "3  CAP: incremental sync of %d changed records\t%s\t\t\n", o.changes, ct.syncInc.Round(time.Millisecond))
	fmt.Fprintf(tw, "3  ratio incremental / full\t%.1f %%\t\t≤ 5 %%\n", 100*ct.syncInc.Seconds()/ct.syncFull.Seconds())
}

// printUpload prints part 4: $batch export against plain POSTs.
func printUpload(tw io.Writer, o options, r results) {
	ct := r.ct
	switch {
	case r.capErr != nil:
		fmt.Fprintf(tw, "4  CAP: $batch upload against plain POSTs\tskipped: %v\t\t≤ 1.2\n", r.capErr)
	case o.uploads == 0:
	case ct.uploadErr != nil:
		fmt.Fprintf(tw, "4  CAP: $batch upload against plain POSTs\tskipped: %v\t\t≤ 1.2\n", ct.uploadErr)
	default:
		upRate := func(d time.Duration) string { return perSecond(o.uploads, d) }
		fmt.Fprintf(tw, "4  CAP: POST %d creates in $batch requests of %d (plain HTTP)\t%s\t%s\t\n", o.uploads, uploadBatch, ct.post.Round(time.Millisecond), upRate(ct.post))
		fmt.Fprintf(tw, "4  CAP: export %d local rows with $batch\t%s\t%s\t\n", o.uploads, ct.export.Round(time.Millisecond), upRate(ct.export))
		fmt.Fprintf(tw, "4  ratio export / POSTs\t%.2f\t\t≤ 1.2\n", ct.export.Seconds()/ct.post.Seconds())
	}
}

// printMetadata prints part 5: CSDL parsing and suggestions.
func printMetadata(tw io.Writer, r results) {
	if r.csdlErr != nil {
		fmt.Fprintf(tw, "5  parse the Dynamics CSDL (3.8 MB)\tskipped: %v\t\t≤ 500 ms\n", r.csdlErr)
	} else {
		fmt.Fprintf(tw, "5  parse the Dynamics CSDL (3.8 MB)\t%s\t\t≤ 500 ms\n", r.csdl.Round(time.Millisecond))
	}
	fmt.Fprintf(tw, "5  suggestions 400 × 400 fields\t%s\t\t≤ 50 ms\n", r.suggest.Round(10*time.Microsecond))
}

// printTwoWay prints part 6: the two-way sync against paging and PATCHes.
func printTwoWay(tw io.Writer, o options, r results) {
	if r.twoWayErr != nil {
		fmt.Fprintf(tw, "6  CAP: first bidirectional sync against paging\tskipped: %v\t\t≤ 1.5\n", r.twoWayErr)
		return
	}
	tw6 := r.tw6
	twRate := func(d time.Duration) string { return perSecond(o.twoWay, d) }
	fmt.Fprintf(tw, "6  CAP: page through %d Sites (plain HTTP, pages of 1000)\t%s\t%s\t\n", o.twoWay, tw6.plain.Round(time.Millisecond), twRate(tw6.plain))
	fmt.Fprintf(tw, "6  CAP: first bidirectional sync of the same records (%d writes)\t%s\t%s\t0 writes\n", tw6.firstWrites, tw6.first.Round(time.Millisecond), twRate(tw6.first))
	fmt.Fprintf(tw, "6  ratio first sync / paging\t%.2f\t\t≤ 1.5\n", tw6.first.Seconds()/tw6.plain.Seconds())
	fmt.Fprintf(tw, "6  CAP: sync of 1 %% changes on each side (%d + %d; %d writes)\t%s\t\t%d writes\n", tw6.changes, tw6.changes, tw6.writes, tw6.changed.Round(time.Millisecond), tw6.changes)
	fmt.Fprintf(tw, "6  CAP: the same number of PATCHes in $batch requests of 100 (plain HTTP)\t%s\t\t\n", tw6.plainWrites.Round(time.Millisecond))
	fmt.Fprintf(tw, "6  ratio changes / first sync\t%.1f %%\t\t≤ 5 %%\n", 100*tw6.changed.Seconds()/tw6.first.Seconds())
	fmt.Fprintf(tw, "6  ratio (changes − plain PATCHes) / first sync\t%.1f %%\t\t\n", 100*(tw6.changed-tw6.plainWrites).Seconds()/tw6.first.Seconds())
}

// startProfile starts a CPU profile into path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start the CPU profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeAllocs writes the allocations made so far (go tool pprof -sample_index=alloc_space).
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create the allocation profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("write the allocation profile: %w", err)
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "switchyard-bench:", err)
	os.Exit(1)
}

// measureFetch reads every page through the OData connector and decodes it.
func measureFetch(ctx context.Context, url string, records, pageSize int) (time.Duration, error) {
	c, err := odata.New(ctx, spec.Values{"url": url, "pagesize": strconv.Itoa(pageSize)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	q := connector.Query{Entity: "Items", Fields: append([]string{"ID"}, benchFields...), PageSize: pageSize}
	start := time.Now()
	n := 0
	for token := ""; ; {
		p, err := c.ReadPage(ctx, q, token)
		if err != nil {
			return 0, fmt.Errorf("fetch: %w", err)
		}
		n += len(p.Records)
		if token = p.Next; token == "" {
			break
		}
	}
	if n != records {
		return 0, fmt.Errorf("fetch: read %d records, want %d", n, records)
	}
	return time.Since(start), nil
}

// localItem is the workspace entity an import of external writes: its key
// as externalid, every other field under its name in lower case.
func localItem(ctx context.Context, c *odata.Client, external string) (meta.Entity, error) {
	cat, err := c.Catalog(ctx)
	if err != nil {
		return meta.Entity{}, err
	}
	ext, ok := meta.FindEntity(cat, external)
	if !ok || len(ext.Key) != 1 {
		return meta.Entity{}, fmt.Errorf("the service has no entity %s with a single key field", external)
	}
	key, _ := ext.Field(ext.Key[0])
	local := meta.Entity{Name: "item", Fields: []meta.Field{{Name: "externalid", Type: key.Type}}}
	for _, f := range ext.Fields {
		if f.Name != ext.Key[0] {
			local.Fields = append(local.Fields, meta.Field{Name: strings.ToLower(f.Name), Type: f.Type, Precision: f.Precision, Scale: f.Scale})
		}
	}
	return local, nil
}

// openWorkspace makes a fresh workspace file with the item entity for
// external, or the entity in the PostgreSQL workspace pgWorkspace.
func openWorkspace(ctx context.Context, url, external string) (*store.Store, meta.Entity, func(), error) {
	dir, err := os.MkdirTemp("", "switchyard-bench-")
	if err != nil {
		return nil, meta.Entity{}, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	ws := filepath.Join(dir, "bench.db")
	if pgWorkspace != "" {
		ws = pgWorkspace
	}
	st, err := store.Open(ctx, ws)
	if err != nil {
		cleanup()
		return nil, meta.Entity{}, nil, err
	}
	c, err := odata.New(ctx, spec.Values{"url": url})
	if err != nil {
		cleanup()
		return nil, meta.Entity{}, nil, err
	}
	local, err := localItem(ctx, c, external)
	c.Close()
	if err == nil {
		err = st.CreateEntity(ctx, local)
	}
	if err != nil {
		st.Close()
		cleanup()
		return nil, meta.Entity{}, nil, err
	}
	return st, local, func() { st.Close(); cleanup() }, nil
}

// measureWrite inserts the rows the import would write, a page per transaction.
func measureWrite(ctx context.Context, records, pageSize int) (time.Duration, error) {
	srv := itemServer(1, 1) // only for the catalog
	defer srv.Close()
	st, local, done, err := openWorkspace(ctx, srv.URL+"/odata/", "Items")
	if err != nil {
		return 0, err
	}
	defer done()
	if err := st.IndexField(ctx, local.Name, "externalid"); err != nil { // as the import matches by it
		return 0, err
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	for first := 0; first < records; first += pageSize {
		rows := make([]map[string]any, 0, pageSize)
		for i := first; i < min(first+pageSize, records); i++ {
			n := int64(i)
			rows = append(rows, map[string]any{
				"externalid": n, "code": "C-" + strconv.Itoa(i), "name": "Item number " + strconv.Itoa(i),
				"description": "A line of text that describes the item in a few words.", "email": "item" + strconv.Itoa(i) + "@example.org",
				"phone": "+44 20 7946 0000", "city": "Brno", "country": "CZ", "quantity": n % 1000, "rank": n * 7,
				"price": strconv.Itoa(i%100000) + ".25", "cost": strconv.Itoa(i%5000) + ".5", "weight": 1.125, "active": int64(1), "archived": int64(0),
				"created": "2024-02-29", "due": "2025-12-31", "modifiedat": base.Add(time.Duration(n) * time.Second).Format("2006-01-02T15:04:05.000Z"),
				"shippedat": nil, "ref": fmt.Sprintf("00000000-0000-4000-8000-%012d", n),
			})
		}
		err := st.Apply(ctx, func(tx *store.Tx) error {
			for _, r := range rows {
				if _, err := tx.Insert(local.Name, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("write: %w", err)
		}
	}
	return time.Since(start), nil
}

// measureImport runs a full import of the server's Items into a fresh workspace.
func measureImport(ctx context.Context, url string, records, pageSize int) (time.Duration, error) {
	return importAll(ctx, url, "Items", records, pageSize)
}

// importAll imports every record of external at url into a fresh workspace
// through the engine, in pages of pageSize, and checks that it imported want.
func importAll(ctx context.Context, url, external string, want, pageSize int) (time.Duration, error) {
	return timedImport(ctx, url, external, want, pageSize, nil)
}

// timedImport is importAll, handing every record's result to onRecord when
// it is not nil (part 7's report); the time covers the import and, through
// finish, what the caller does at its end (the report's Close).
func timedImport(ctx context.Context, url, external string, want, pageSize int, onRecord func(engine.RecordResult), finish ...func(*engine.Result, error) error) (time.Duration, error) {
	st, local, done, err := openWorkspace(ctx, url, external)
	if err != nil {
		return 0, err
	}
	defer done()
	c, err := odata.New(ctx, spec.Values{"url": url, "pagesize": strconv.Itoa(pageSize)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	cat, err := c.Catalog(ctx)
	if err != nil {
		return 0, err
	}
	ext, _ := meta.FindEntity(cat, external)
	em := downloadMapping(ext, local.Name)
	in := mapping.Integration{Name: "bench", Connector: "odata", Settings: spec.Values{"url": url}, Entities: []mapping.EntityMapping{em}}
	if err := st.SaveIntegration(ctx, in); err != nil {
		return 0, err
	}
	start := time.Now()
	res, err := admin.NewEngine(st).Run(ctx, c, engine.Options{Integration: in, Direction: engine.Import, PageSize: pageSize, OnRecord: onRecord})
	for _, f := range finish {
		if ferr := f(res, err); ferr != nil && err == nil {
			err = ferr
		}
	}
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	if got := res.Totals(); got.Imported != want {
		return 0, fmt.Errorf("import: %+v, want %d imported", got, want)
	}
	return time.Since(start), nil
}

// childImport runs the full import in a child process and returns its time,
// its peak RSS in KB and the CPU time the child used (user and system, all
// threads: on a shared machine a steadier figure than the time).
func childImport(records, pageSize int, cpuProfile, memProfile string) (d time.Duration, rss int64, cpu time.Duration, err error) {
	return runChild("import in a child process", "-records", strconv.Itoa(records), "-pagesize", strconv.Itoa(pageSize),
		"-cpuprofile", cpuProfile, "-memprofile", memProfile)
}

// runChild runs this program again with -child-import and args, and returns
// the import's duration as the child printed it, the child's peak RSS (KB) and
// its CPU time; what says what the child does, for errors.
func runChild(what string, args ...string) (d time.Duration, rss int64, cpu time.Duration, err error) {
	self, err := os.Executable()
	if err != nil {
		return 0, 0, 0, err
	}
	cmd := exec.Command(self, append([]string{"-child-import"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", what, err)
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s printed %q", what, out)
	}
	rss = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return time.Duration(secs * float64(time.Second)), rss, cpu, nil
}

// measureCSDL parses the Dynamics fixture, best of three.
func measureCSDL(path string) (time.Duration, error) {
	best := time.Duration(1 << 62)
	for range 3 {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		md, err := odata.ParseMetadata(f)
		if err == nil {
			_, _, err = md.Entities()
		}
		d := time.Since(start)
		f.Close()
		if err != nil {
			return 0, err
		}
		best = min(best, d)
	}
	return best, nil
}

// measureSuggest times suggestions for 400 external against 400 local fields, best of five.
func measureSuggest() time.Duration {
	types := []meta.Type{meta.String, meta.Int, meta.Decimal, meta.Bool, meta.Date, meta.DateTime, meta.GUID}
	ext := meta.Entity{Name: "wide"}
	local := meta.Entity{Name: "wide"}
	for i := range 400 {
		ext.Fields = append(ext.Fields, meta.Field{Name: fmt.Sprintf("new_Field%03d", i), Type: types[i%len(types)]})
		local.Fields = append(local.Fields, meta.Field{Name: fmt.Sprintf("field_%03d", (i*7)%400), Type: types[(i*7)%400%len(types)]})
	}
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		mapping.MapAll(mapping.Suggest(ext, local, mapping.SuggestOptions{}), mapping.SuggestThreshold)
		best = min(best, time.Since(start))
	}
	return best
}

// downloadMapping maps every field of ext to local for downloads: the key to
// externalid (the match key), the others to their names in lower case.
func downloadMapping(ext meta.Entity, local string) mapping.EntityMapping {
	em := mapping.EntityMapping{External: ext.Name, Local: local, PrimaryKey: "externalid", Direction: mapping.Download}
	for _, f := range ext.Fields {
		name := strings.ToLower(f.Name)
		if f.Name == ext.Key[0] {
			name = "externalid"
		}
		em.Fields = append(em.Fields, mapping.FieldMapping{External: f.Name, Local: name})
	}
	return em
}
