package doc

// MergePatch applies patch to target as RFC 7396 defines and returns the result: an object patch
// merges into an object target (a null member removes that member), anything else replaces the target.
// Objects of target may be modified in place; pass a copy to keep the original.
func MergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = MergePatch(t[k], v)
		}
	}
	return t
}
