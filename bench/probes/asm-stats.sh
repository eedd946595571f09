#!/bin/bash
# Dump lavapipe's x86 code for one probe variant and summarise the hottest loop (the region
# spanned by the backward branch that encloses the most vmulps/vfmadd). Usage:
#   bench/probes/asm-stats.sh SET REGEX [SHAPE]
set -e
cd "$(dirname "$0")/../.."
out=$(mktemp)
MESA_SHADER_CACHE_DISABLE=true GALLIVM_DEBUG=asm timeout 300 node bench/probes/gemm-probe.mjs --set "$1" --only "$2" --shapes "${3:-sq1024}" --no-check --reps 1 --target-ms 1 > "$out" 2>&1 || true
awk '/^cs_co_variant:$/{p=1;next} /^[a-z_]+:$/{p=0} p' "$out" > "$out.s"
python3 - "$out.s" <<'PY'
import re, sys, collections
lines = [l for l in open(sys.argv[1]) if re.match(r'\s+[0-9a-f]+:\t', l)]
ins = []
for l in lines:
    m = re.match(r'\s+([0-9a-f]+):\t(\S+)\s*(.*)', l)
    ins.append((int(m.group(1), 16), m.group(2), m.group(3)))
addr_idx = {a: i for i, (a, _, _) in enumerate(ins)}
best = None
for i, (a, op, arg) in enumerate(ins):
    if op.startswith('j') and re.match(r'-?\d+$', arg.strip()):
        nxt = ins[i + 1][0] if i + 1 < len(ins) else a + 6
        tgt = nxt + int(arg)
        if tgt < a and tgt in addr_idx:
            j = addr_idx[tgt]
            body = ins[j:i + 1]
            f = sum(1 for _, o, _ in body if o in ('vmulps', 'vfmadd231ps', 'vfmadd213ps', 'vfmadd132ps'))
            if best is None or f > best[0] or (f == best[0] and len(body) > len(best[1])):
                best = (f, body)
f, body = best
c = collections.Counter(o for _, o, _ in body)
mem = sum(1 for _, o, a in body if '(%r' in a and 'rsp' not in a)
spill = sum(1 for _, o, a in body if 'rsp)' in a or 'rdi)' in a)
print(f'loop: {len(body)} instrs, {f} mul/fma, {c["vaddps"]} vaddps, {c["vblendvps"]} vblendvps, jcc {sum(v for k, v in c.items() if k.startswith("j"))}, mem-operands {mem}, stack/frame {spill}')
print('top:', ', '.join(f'{k} {v}' for k, v in c.most_common(14)))
PY
rm -f "$out" "$out.s"
