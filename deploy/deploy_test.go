package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"switchyard/core/admin"
	"switchyard/core/store"
)

// The manifests are checked against the Kubernetes API's own Go types (k8s.io/api), decoded as
// strictly as the API server's strict field validation (kubectl apply --validate=strict) does:
// field names case-sensitive, no unknown or duplicate fields, every value of its type. Schema
// checkers such as kubeconform download the OpenAPI schemas at run time, and this network
// reaches no schema registry; the typed decode needs nothing but the Go module.

const manifests = "kubernetes"

// placeholder marks the values of the example Secrets.
const placeholder = "CHANGE-ME"

// TestManifests decodes every document of every manifest and checks it.
func TestManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifests, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", manifests, err)
	}
	cronJobs := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range documents(data) {
			t.Run(fmt.Sprintf("%s#%d", filepath.Base(f), i+1), func(t *testing.T) {
				obj, err := validate(doc)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := obj.(*batchv1.CronJob); ok {
					cronJobs++
				}
			})
		}
	}
	if cronJobs == 0 {
		t.Error("no CronJob among the manifests")
	}
}

// TestBadManifests proves the check fails: each case spoils the crm CronJob in one way.
func TestBadManifests(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(manifests, "cronjob-crm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := validate(good); err != nil {
		t.Fatalf("the unspoilt manifest: %v", err)
	}
	tests := []struct{ name, old, new, want string }{
		{"misspelt field", "concurrencyPolicy: Forbid", "concurencyPolicy: Forbid", `unknown field "spec.concurencyPolicy"`},
		{"field in the wrong case", "concurrencyPolicy: Forbid", "concurrencypolicy: Forbid", `unknown field "spec.concurrencypolicy"`},
		{"field in the wrong place", "      backoffLimit: 2", "      backoffLimit: 2\n      concurrencyPolicy: Forbid", `unknown field "spec.jobTemplate.spec.concurrencyPolicy"`},
		{"duplicate field", "  schedule: \"*/15 * * * *\"", "  schedule: \"*/15 * * * *\"\n  schedule: \"0 * * * *\"", "already set"},
		{"wrong type", "backoffLimit: 2", "backoffLimit: two", "backoffLimit"},
		{"bad quantity", "memory: 1Gi", "memory: 1 GB", "quantities must match"},
		{"concurrent runs allowed", "concurrencyPolicy: Forbid", "concurrencyPolicy: Allow", "concurrencyPolicy"},
		{"bad schedule", `schedule: "*/15 * * * *"`, `schedule: "every 15 minutes"`, "schedule"},
		{"no --json", `args: ["--run-sync", "crm", "--json"]`, `args: ["--run-sync", "crm"]`, "args"},
		{"no backoffLimit", "      backoffLimit: 2\n", "", "backoffLimit"},
		{"no history limit", "  failedJobsHistoryLimit: 5\n", "", "history"},
		{"may run as root", "                runAsNonRoot: true\n", "                runAsNonRoot: false\n", "runAsNonRoot"},
		{"no memory limit", "                  memory: 1Gi\n", "", "limits"},
		{"secret as a plain value", "                  valueFrom:\n                    secretKeyRef:\n                      name: switchyard-crm\n                      key: clientsecret",
			"                  value: s3cr3t", "SWITCHYARD_CRM_CLIENTSECRET"},
		{"secret under the wrong name", "- name: SWITCHYARD_CRM_CLIENTSECRET", "- name: SWITCHYARD_CRM_SECRET", "SWITCHYARD_CRM_CLIENTSECRET"},
		{"workspace not from a Secret", "- name: SWITCHYARD_WORKSPACE", "- name: WORKSPACE", "SWITCHYARD_WORKSPACE"},
		{"no workspace key", "- name: SWITCHYARD_KEY", "- name: KEY", "SWITCHYARD_KEY does not come from a Secret"},
		{"workspace key as a plain value", "                  valueFrom:\n                    secretKeyRef:\n                      name: switchyard-workspace\n                      key: key",
			"                  value: MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=", "SWITCHYARD_KEY is not from a Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(good, []byte(tt.old)) {
				t.Fatalf("the manifest has no %q to spoil", tt.old)
			}
			bad := bytes.Replace(good, []byte(tt.old), []byte(tt.new), 1)
			_, err := validate(bad)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validate = %v, want an error about %q", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// TestBadOthers proves the checks of the other kinds fail.
func TestBadOthers(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"real value in an example Secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n", "placeholder"},
		{"kustomization applies the example Secrets", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cronjob-crm.yaml, secret-example.yaml]\n", "overwrite"},
		{"kustomization leaves out a CronJob", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n", "does not list cronjob-crm.yaml"},
		{"kustomization field not checked", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cronjob-crm.yaml]\ncommonLabels: {a: b}\n", "unknown field"},
		{"kind not used here", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", "not a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := validate([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validate = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// TestContainerfile checks the recipe's last stage: Debian slim, a numeric non-root user that
// is the CronJobs' runAsUser, and the binary as the entry point.
func TestContainerfile(t *testing.T) {
	data, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	var base, user, entry string
	args := map[string]string{} // ARG defaults, for the FROM lines
	for _, line := range strings.Split(string(data), "\n") {
		word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch word {
		case "ARG":
			if name, v, ok := strings.Cut(rest, "="); ok {
				args[name] = v
			}
		case "FROM":
			base = os.Expand(strings.Fields(rest)[0], func(k string) string { return args[k] })
			user, entry = "", "" // only the last stage counts
		case "USER":
			user = rest
		case "ENTRYPOINT":
			entry = rest
		}
	}
	if !strings.Contains(base, "/debian:") || !strings.HasSuffix(base, "-slim") {
		t.Errorf("the last stage is FROM %s: want Debian slim", base)
	}
	if user != "10001:10001" {
		t.Errorf("USER %q, want 10001:10001 (numeric, so that runAsNonRoot can check it; the CronJobs' runAsUser)", user)
	}
	if entry != `["/usr/local/bin/switchyard"]` {
		t.Errorf("ENTRYPOINT %s, want the binary in exec form", entry)
	}
	cj := readCronJob(t, filepath.Join(manifests, "cronjob-crm.yaml"))
	if sc := cj.Spec.JobTemplate.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsUser == nil || fmt.Sprint(*sc.RunAsUser) != strings.Split(user, ":")[0] {
		t.Errorf("the CronJob's runAsUser is not the image's USER %s", user)
	}
}

func readCronJob(t *testing.T, path string) *batchv1.CronJob {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := validate(data)
	if err != nil {
		t.Fatal(err)
	}
	cj, ok := obj.(*batchv1.CronJob)
	if !ok {
		t.Fatalf("%s holds a %T, not a CronJob", path, obj)
	}
	return cj
}

// documents splits a YAML stream at its "---" lines, leaving out documents with nothing but comments.
func documents(data []byte) [][]byte {
	var docs [][]byte
	for _, doc := range bytes.Split(append([]byte("\n"), data...), []byte("\n---\n")) {
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
	return docs
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// validate decodes one YAML document strictly into the API type its apiVersion and kind name,
// and checks it.
func validate(doc []byte) (any, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, err
	}
	var obj any
	switch tm.APIVersion + " " + tm.Kind {
	case "batch/v1 CronJob":
		obj = &batchv1.CronJob{}
	case "v1 Secret":
		obj = &corev1.Secret{}
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		obj = &kustomization{}
	default:
		return nil, fmt.Errorf("apiVersion %q, kind %q: not a kind these manifests use", tm.APIVersion, tm.Kind)
	}
	if err := decodeStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s: %w", tm.Kind, err)
	}
	switch o := obj.(type) {
	case *batchv1.CronJob:
		return o, checkCronJob(o)
	case *corev1.Secret:
		return o, checkSecret(o)
	case *kustomization:
		return o, checkKustomization(o)
	}
	return obj, nil
}

// decodeStrict decodes YAML into obj as the API server's strict field validation does.
func decodeStrict(doc []byte, obj any) error {
	j, err := yaml.YAMLToJSONStrict(doc) // refuses duplicate keys
	if err != nil {
		return err
	}
	strict, err := kjson.UnmarshalStrict(j, obj) // case-sensitive; unknown and duplicate fields are strict errors
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// checkCronJob checks what issue 19 asks of a runner's CronJob.
func checkCronJob(cj *batchv1.CronJob) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(cj.Name+": "+format, args...)) }
	s := cj.Spec
	if _, err := cron.ParseStandard(s.Schedule); err != nil {
		fail("schedule %q: %v", s.Schedule, err)
	}
	if s.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		fail("concurrencyPolicy %q, want Forbid", s.ConcurrencyPolicy)
	}
	if s.SuccessfulJobsHistoryLimit == nil || s.FailedJobsHistoryLimit == nil {
		fail("successful and failed history limits are not both set")
	}
	if s.JobTemplate.Spec.BackoffLimit == nil {
		fail("no backoffLimit")
	}
	pod := s.JobTemplate.Spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		fail("restartPolicy %q, want Never (a run is retried by the Job, as a new pod)", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		fail("%d containers, want 1", len(pod.Containers))
		return errors.Join(errs...)
	}
	c := pod.Containers[0]
	if len(c.Args) != 3 || c.Args[0] != "--run-sync" || c.Args[1] == "" || c.Args[2] != "--json" {
		fail("args %q, want [--run-sync NAME --json]", c.Args)
		return errors.Join(errs...)
	}
	if !nonRoot(pod.SecurityContext, c.SecurityContext) {
		fail("runAsNonRoot is not true for the container")
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			fail("no %s in the resource requests", r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			fail("no %s in the resource limits", r)
		}
	}
	for _, err := range checkEnv(c.Args[1], c.Env) {
		fail("%v", err)
	}
	return errors.Join(errs...)
}

// nonRoot reports whether the container runs with runAsNonRoot: its own setting, else the pod's.
func nonRoot(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) bool {
	if c != nil && c.RunAsNonRoot != nil {
		return *c.RunAsNonRoot
	}
	return pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot
}

// checkEnv checks that the workspace, its key and every SWITCHYARD_ variable come from a
// Secret, the integration's secrets under the names cmd/switchyard reads (admin.SecretEnv).
func checkEnv(integration string, env []corev1.EnvVar) []error {
	var errs []error
	workspace, key := false, false
	for _, e := range env {
		if !strings.HasPrefix(e.Name, "SWITCHYARD_") {
			continue
		}
		ref := secretRef(e)
		switch {
		case ref == nil:
			errs = append(errs, fmt.Errorf("%s is not from a Secret (valueFrom.secretKeyRef)", e.Name))
		case e.Name == "SWITCHYARD_WORKSPACE":
			workspace = true
		case e.Name == store.KeyEnv:
			key = true
		case e.Name != admin.SecretEnv(integration, ref.Key):
			errs = append(errs, fmt.Errorf("%s holds the key %q of Secret %s: cmd/switchyard reads it as %s",
				e.Name, ref.Key, ref.Name, admin.SecretEnv(integration, ref.Key)))
		}
	}
	if !workspace {
		errs = append(errs, errors.New("SWITCHYARD_WORKSPACE does not come from a Secret"))
	}
	if !key {
		errs = append(errs, fmt.Errorf("%s does not come from a Secret: the runner cannot open the workspace's sealed secrets", store.KeyEnv))
	}
	return errs
}

func secretRef(e corev1.EnvVar) *corev1.SecretKeySelector {
	if e.Value != "" || e.ValueFrom == nil {
		return nil
	}
	return e.ValueFrom.SecretKeyRef
}

// checkSecret checks that an example Secret holds placeholders only.
func checkSecret(s *corev1.Secret) error {
	var errs []error
	if len(s.Data) > 0 {
		errs = append(errs, fmt.Errorf("secret %s: data set; an example gives stringData placeholders", s.Name))
	}
	for k, v := range s.StringData {
		if !strings.Contains(v, placeholder) {
			errs = append(errs, fmt.Errorf("secret %s: %s holds no %s placeholder: no real values here", s.Name, k, placeholder))
		}
	}
	return errors.Join(errs...)
}

// kustomization is the part of kustomize's Kustomization that kustomization.yaml uses; a field
// outside it fails the strict decode, so that one added there is added here too, deliberately.
type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Namespace       string   `json:"namespace,omitempty"`
	Resources       []string `json:"resources"`
	Images          []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
}

// checkKustomization checks that it lists every manifest but the example Secrets, and that they
// exist.
func checkKustomization(k *kustomization) error {
	files, err := filepath.Glob(filepath.Join(manifests, "*.yaml"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		name := filepath.Base(f)
		listed := slices.Contains(k.Resources, name)
		switch {
		case name == "kustomization.yaml":
		case strings.HasPrefix(name, "secret-") && listed:
			errs = append(errs, fmt.Errorf("kustomization lists %s: applying it would overwrite the real Secrets", name))
		case !strings.HasPrefix(name, "secret-") && !listed:
			errs = append(errs, fmt.Errorf("kustomization does not list %s", name))
		}
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join(manifests, r)); err != nil {
			errs = append(errs, fmt.Errorf("kustomization lists %s: %w", r, err))
		}
	}
	return errors.Join(errs...)
}
