{{- define "tenant.namespace" -}}
{{- required "team is required" .Values.team }}-{{ required "env is required" .Values.env }}
{{- end -}}

{{- define "tenant.labels" -}}
team: {{ .Values.team }}
env: {{ .Values.env }}
cost-center: {{ required "costCenter is required" .Values.costCenter | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: idlc-tenant
{{- end -}}
