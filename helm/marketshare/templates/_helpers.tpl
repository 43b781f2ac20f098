{{/*
Shared pieces of every template. The call graph that the Linkerd policies enforce is built in
ONE place, "marketshare.servers" below, from the values' `callers` lists.
*/}}

{{- define "marketshare.namespace" -}}
{{ .Values.namespace.name }}
{{- end }}

{{/* Labels of every object; "marketshare.labels" expects (list $ "component-name"). */}}
{{- define "marketshare.labels" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
app.kubernetes.io/name: {{ $name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/part-of: marketshare
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ $root.Chart.Name }}-{{ $root.Chart.Version }}
{{- end }}

{{/* The labels a selector matches on; (list $ "component-name"). */}}
{{- define "marketshare.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end }}

{{- define "marketshare.secretName" -}}
{{ .Values.secrets.existingSecret | default "marketshare-secrets" }}
{{- end }}

{{/* Our image for a deployable; (list $ "ms-auth"). */}}
{{- define "marketshare.image" -}}
{{- $root := index . 0 -}}
{{ $root.Values.images.repositoryPrefix }}/{{ index . 1 }}:{{ $root.Values.images.tag }}
{{- end }}

{{/* Pod securityContext: non-root, seccomp RuntimeDefault; (dict "uid" 10001). */}}
{{- define "marketshare.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "marketshare.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Topology spread of one component's replicas over nodes; (list $ "name"). */}}
{{- define "marketshare.topologySpread" -}}
{{- $root := index . 0 -}}
- maxSkew: 1
  topologyKey: {{ $root.Values.pods.topologySpread.topologyKey }}
  whenUnsatisfiable: {{ $root.Values.pods.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "marketshare.selectorLabels" . | nindent 6 }}
{{- end }}

{{/*
Every Linkerd Server the chart makes, as a YAML list; policies.yaml turns each into a Server,
its HTTPRoutes, AuthorizationPolicies and MeshTLS/Network authentications. Fields:
  name, app (pod selector), port (container port name), protocol (HTTP/1 or opaque),
  callers (ServiceAccounts of our namespace, or "namespace/name" for another one; whole port
  or the api route), public (unauthenticated networks),
  probePaths (routes open to kubelet), metricsPath (route open to Prometheus only).
*/}}
{{- define "marketshare.servers" -}}
{{- range $name, $d := .Values.deployables }}
- name: {{ $name }}
  app: {{ $name }}
  port: http
  protocol: HTTP/1
  callers: {{ $d.callers | toJson }}
  probePaths: {{ list $d.probes.live $d.probes.ready | uniq | toJson }}
  metricsPath: /metrics
{{- end }}
- name: gateway
  app: gateway
  port: http
  protocol: HTTP/1
  callers: []
  public: true
- name: gateway-stats
  app: gateway
  port: stats
  protocol: HTTP/1
  callers: []
  probePaths: ["/stats"]
  metricsPath: /metrics
{{- range $name, $s := .Values.datastores }}
{{- if $s.enabled }}
- name: {{ $name }}
  app: {{ $name }}
  port: {{ $name }}
  protocol: opaque
  callers: {{ $s.callers | toJson }}
{{- if $s.metricsPort }}
- name: {{ $name }}-metrics
  app: {{ $name }}
  port: metrics
  protocol: HTTP/1
  callers: []
  metricsPath: /metrics
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.tracing.jaeger }}
{{- if .enabled }}
{{- /* Every deployable exports its spans (marketshare.otlpEndpoint points them here). */}}
- name: jaeger
  app: jaeger
  port: otlp-http
  protocol: HTTP/1
  callers: {{ keys $.Values.deployables | sortAlpha | toJson }}
- name: jaeger-query
  app: jaeger
  port: query
  protocol: HTTP/1
  callers: {{ list (printf "%s/%s" $.Values.mesh.grafana.namespace $.Values.mesh.grafana.serviceAccount) | toJson }}
- name: jaeger-admin
  app: jaeger
  port: admin
  protocol: HTTP/1
  callers: []
  probePaths: ["/"]
{{- end }}
{{- end }}
{{- end }}

{{/*
The OTLP/HTTP endpoint the deployables export to: the in-cluster Jaeger, else
tracing.otlpEndpoint, else empty (no export). Both set is refused rather than guessed.
*/}}
{{- define "marketshare.otlpEndpoint" -}}
{{- $t := .Values.tracing }}
{{- if and $t.jaeger.enabled $t.otlpEndpoint }}
{{- fail "tracing.otlpEndpoint is set and tracing.jaeger.enabled is true: set jaeger.enabled=false to export to an external OTLP receiver" }}
{{- end }}
{{- if $t.jaeger.enabled }}
{{- printf "http://jaeger:%d" (int $t.jaeger.otlpPort) }}
{{- else }}
{{- $t.otlpEndpoint }}
{{- end }}
{{- end }}

{{/* host:port of every datastore, for the services' composed URLs. */}}
{{- define "marketshare.datastoreAddresses" -}}
{{- range $name, $s := .Values.datastores }}
{{ upper $name }}_ADDR: {{ $s.address | quote }}
{{- end }}
{{- end }}
