import pytest

from advisor.read.gpus import find


@pytest.mark.parametrize("text,name", [
    ("NVIDIA GeForce RTX 4070", "rtx_4070"),
    ("4070", "rtx_4070"),
    ("NVIDIA GeForce RTX 4070 Ti", "rtx_4070_ti"),
    ("RTX 4070 SUPER", "rtx_4070_super"),
    ("NVIDIA H100 80GB HBM3", "h100_sxm"),
    ("h100", "h100_sxm"),
    ("NVIDIA A100-SXM4-80GB", "a100_sxm_80gb"),
    ("a100-40gb", "a100_sxm_40gb"),
    ("NVIDIA A10G", "a10g"),
    ("NVIDIA A10", "a10"),
    ("NVIDIA L40S", "l40s"),
    ("Tesla T4", "t4"),
    ("Tesla V100-SXM2-16GB", "v100_sxm2_16gb"),
])
def test_gpu_names_as_printed_or_typed(know, text, name):
    gpu = find(text, know.gpus)
    assert gpu is not None and gpu.name == name


@pytest.mark.parametrize("text", ["RTX 4070 Ti SUPER", "NVIDIA GeForce RTX 4070 Laptop GPU",
                                  "Radeon RX 7900 XTX", "", "A1000"])
def test_other_gpus_are_unknown_not_guessed(know, text):
    assert find(text, know.gpus) is None


def test_every_gpu_row_keeps_its_source(know):
    assert all(gpu.source for _, gpu in know.gpus)
    assert find("4070", know.gpus).memory_gib == 12
