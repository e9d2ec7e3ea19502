package schema

type annotationPlan struct{}
