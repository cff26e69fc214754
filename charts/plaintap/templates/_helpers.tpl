{{/* Expand the name of the chart. */}}
{{- define "plaintap.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name (63 characters at most: some Kubernetes name fields
are limited to that). If the release name contains the chart name it is used as the full name.
*/}}
{{- define "plaintap.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version as used by the chart label. */}}
{{- define "plaintap.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "plaintap.labels" -}}
helm.sh/chart: {{ include "plaintap.chart" . }}
{{ include "plaintap.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: agent
{{- end }}

{{/* Selector labels. */}}
{{- define "plaintap.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plaintap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The name of the service account to use. */}}
{{- define "plaintap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plaintap.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: a digest wins over the tag. */}}
{{- define "plaintap.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the chart mounts things in the agent container. */}}
{{- define "plaintap.configDir" -}}/etc/plaintap{{- end }}
{{- define "plaintap.caDir" -}}/etc/plaintap/otlp-ca{{- end }}
{{- define "plaintap.clientTlsDir" -}}/etc/plaintap/otlp-client{{- end }}

{{/*
plaintap's configuration file: the `config` values plus what the chart owns (metrics address,
OTLP endpoint and TLS files at their mount paths).
*/}}
{{- define "plaintap.configFile" -}}
{{- $config := deepCopy .Values.config }}
{{- $metrics := get $config "metrics" | default dict }}
{{- $_ := set $metrics "address" (printf "0.0.0.0:%d" (int .Values.metrics.port)) }}
{{- $_ = set $config "metrics" $metrics }}
{{- if .Values.otlp.endpoint }}
{{- $otlp := get $config "otlp" | default dict }}
{{- $_ = set $otlp "endpoint" .Values.otlp.endpoint }}
{{- if .Values.otlp.tls.caSecret.name }}
{{- $_ = set $otlp "certificate" (printf "%s/%s" (include "plaintap.caDir" .) .Values.otlp.tls.caSecret.key) }}
{{- end }}
{{- if .Values.otlp.tls.clientSecret.name }}
{{- $_ = set $otlp "client_certificate" (printf "%s/tls.crt" (include "plaintap.clientTlsDir" .)) }}
{{- $_ = set $otlp "client_key" (printf "%s/tls.key" (include "plaintap.clientTlsDir" .)) }}
{{- end }}
{{- $_ = set $config "otlp" $otlp }}
{{- end }}
{{- toYaml $config }}
{{- end }}
