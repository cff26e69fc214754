// k8s-validate reads Kubernetes manifests (multi-document YAML, e.g. `helm template` output) on
// stdin and decodes every object strictly into its Kubernetes Go type (k8s.io/api, and the
// Prometheus Operator's monitoring.coreos.com/v1) the way the API server decodes (case-sensitive
// names): an unknown, misspelt or duplicate field, a wrong type or an unparsable quantity fails. It also checks names and labels as the API server does.
// Prints one `ok <apiVersion> <kind> <name>` line per object; exit 1 on the first problem.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "k8s-validate: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if err := monitoringv1.AddToScheme(scheme.Scheme); err != nil {
		fail("%v", err)
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	count := 0
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail("reading YAML: %v", err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var head metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &head); err != nil {
			fail("not a Kubernetes object: %v\n%s", err, doc)
		}
		gvk := schema.FromAPIVersionAndKind(head.APIVersion, head.Kind)
		obj, err := scheme.Scheme.New(gvk)
		if err != nil {
			fail("unknown kind %s: %v", gvk, err)
		}
		// As the API server decodes: case-sensitive field names, no unknown or duplicate fields.
		data, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			fail("%s: %v", gvk, err)
		}
		strictErrs, err := kjson.UnmarshalStrict(data, obj)
		if err != nil {
			fail("%s: %v", gvk, err)
		}
		for _, strictErr := range strictErrs {
			fail("%s: %v", gvk, strictErr)
		}
		meta, ok := obj.(metav1.Object)
		if !ok {
			fail("%s has no metadata", gvk)
		}
		check(gvk, meta, obj)
		fmt.Printf("ok %s %s %s\n", head.APIVersion, head.Kind, meta.GetName())
		count++
	}
	if count == 0 {
		fail("no objects on stdin")
	}
}

func stripComments(doc []byte) []byte {
	var out []string
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
		}
	}
	return []byte(strings.Join(out, "\n"))
}

// check applies the API server's name and label rules to the object and its pod template.
func check(gvk schema.GroupVersionKind, meta metav1.Object, obj runtime.Object) {
	where := fmt.Sprintf("%s %q", gvk.Kind, meta.GetName())
	if meta.GetName() == "" {
		fail("%s: metadata.name is empty", where)
	}
	for _, problem := range validation.IsDNS1123Subdomain(meta.GetName()) {
		fail("%s: name: %s", where, problem)
	}
	labels(where+" labels", meta.GetLabels())
	for key := range meta.GetAnnotations() {
		for _, problem := range validation.IsQualifiedName(key) {
			fail("%s: annotation %q: %s", where, key, problem)
		}
	}
	if template := podTemplate(obj); template != nil {
		labels(where+" pod template labels", template.Labels)
		for _, c := range append(template.Spec.InitContainers, template.Spec.Containers...) {
			for _, problem := range validation.IsDNS1123Label(c.Name) {
				fail("%s: container %q: %s", where, c.Name, problem)
			}
			for _, p := range c.Ports {
				if p.Name != "" {
					for _, problem := range validation.IsValidPortName(p.Name) {
						fail("%s: port %q: %s", where, p.Name, problem)
					}
				}
			}
		}
	}
}

func labels(where string, set map[string]string) {
	for key, value := range set {
		for _, problem := range validation.IsQualifiedName(key) {
			fail("%s: key %q: %s", where, key, problem)
		}
		for _, problem := range validation.IsValidLabelValue(value) {
			fail("%s: value %q: %s", where, value, problem)
		}
	}
}
