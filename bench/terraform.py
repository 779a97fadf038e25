#!/usr/bin/env python3
"""Terraform source against the same resources as a Terraform plan, in alternating rounds of one
tenet binary: median wall, CPU (user + system) and peak RSS per case, and each source case's
ratio to its plan in the same rounds. Usage: terraform.py TENET_BINARY (ROUNDS=5, FOLDERS=200).

Generated in /tmp/btf: FOLDERS module folders of 25 security groups and 25 instances each
(variables, locals, `count`, a `dynamic` block, a local module call), and a plan JSON holding the
same resources with the same values. When ../shared/corpus is present, its Terraform source folder
(490 files) is timed too."""
import json, os, shutil, statistics, subprocess, sys, time

BIN = sys.argv[1]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
FOLDERS = int(os.environ.get("FOLDERS", "200"))
OUT = "/tmp/btf"
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/corpus/files/terraform")

MODULE = """variable "ports" { default = [443] }
resource "aws_security_group" "shared" {
  name = "shared"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
"""


def make():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(f"{OUT}/src/modules/sg")
    open(f"{OUT}/src/modules/sg/main.tf", "w").write(MODULE)
    plan = []
    for f in range(FOLDERS):
        d = f"{OUT}/src/app{f:04d}"
        os.makedirs(d)
        text = [f'variable "env" {{ default = "e{f}" }}\n',
                'locals {\n  open = ["0.0.0.0/0"]\n  ports = [22, 80, 443]\n}\n',
                'module "sg" {\n  source = "../modules/sg"\n  ports  = local.ports\n}\n']
        plan.append({"address": "module.sg.aws_security_group.shared", "mode": "managed",
                     "type": "aws_security_group", "name": "shared",
                     "values": {"name": "shared", "ingress": [
                         {"from_port": p, "to_port": p, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}
                         for p in (22, 80, 443)]}})
        for r in range(25):
            text.append(f'''resource "aws_security_group" "sg{r}" {{
  name        = "sg{r}-${{var.env}}"
  description = "group {r}"
  ingress {{
    from_port   = {r % 3 * 1000 + 22}
    to_port     = {r % 3 * 1000 + 22}
    protocol    = "tcp"
    cidr_blocks = {"local.open" if r % 5 == 0 else '["10.0.0.0/8"]'}
  }}
}}
resource "aws_instance" "vm{r}" {{
  count                       = 1
  ami                         = "ami-{r:08d}"
  instance_type               = "t3.micro"
  associate_public_ip_address = {"true" if r % 4 == 0 else "false"}
  tags = {{ Name = "vm{r}-${{count.index}}", env = var.env }}
}}
''')
            plan.append({"address": f"aws_security_group.sg{r}", "mode": "managed", "type": "aws_security_group",
                         "name": f"sg{r}", "values": {"name": f"sg{r}-e{f}", "description": f"group {r}", "ingress": [
                             {"from_port": r % 3 * 1000 + 22, "to_port": r % 3 * 1000 + 22, "protocol": "tcp",
                              "cidr_blocks": ["0.0.0.0/0"] if r % 5 == 0 else ["10.0.0.0/8"]}]}})
            plan.append({"address": f"aws_instance.vm{r}[0]", "mode": "managed", "type": "aws_instance",
                         "name": f"vm{r}", "index": 0,
                         "values": {"ami": f"ami-{r:08d}", "instance_type": "t3.micro",
                                    "associate_public_ip_address": r % 4 == 0,
                                    "tags": {"Name": f"vm{r}-0", "env": f"e{f}"}}})
        open(f"{d}/main.tf", "w").write("".join(text))
    json.dump({"format_version": "1.2", "planned_values": {"root_module": {"resources": plan}}},
              open(f"{OUT}/plan.json", "w"), indent=2)
    return len(plan)


def run(args):
    env = dict(os.environ, TENET_NO_HISTORY="1", NO_COLOR="1")
    t0 = time.perf_counter()
    p = subprocess.Popen([BIN] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


n = make()
check = ["check", "-s", "aws-foundations", "--format", "json"]
cases = [
    (f"Terraform plan JSON, {n} resources (baseline)", check + [f"{OUT}/plan.json"]),
    (f"Terraform source, the same {n} resources in {FOLDERS} folders + a local module", check + [f"{OUT}/src"]),
]
if os.path.isdir(CORPUS):
    cases.append(("corpus Terraform source (490 .tf files, 177 folders)", check + [CORPUS]))
res = {name: [] for name, _ in cases}
for _ in range(ROUNDS):
    for name, args in cases:
        res[name].append(run(args))
base = statistics.median(r[0] for r in res[cases[0][0]])
print(f"| case ({ROUNDS} alternating rounds, medians) | wall s | CPU s | peak MiB | wall / plan | exit |")
print("|---|---|---|---|---|---|")
for name, _ in cases:
    rs = res[name]
    med = lambda k: statistics.median(r[k] for r in rs)
    print(f"| {name} | {med(0):.3f} | {med(1):.3f} | {med(2):.0f} | {med(0) / base:.2f}x | {rs[0][3]} |")
