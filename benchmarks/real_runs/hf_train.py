"""A real HF Trainer run on the CPU: a tiny GPT-2 made from a config (no download), trained
on the local byte-level text of corpus.py, with the Trainer's own progress bar and logs.

    python benchmarks/real_runs/hf_train.py --max-steps 400 --eval-steps 100 --save-steps 200 \\
        --logging-steps 10 --grad-accum 1 --batch 8 --out DIR
"""

from __future__ import annotations

import argparse
import os
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import corpus_bytes  # noqa: E402


class Blocks(torch.utils.data.Dataset):
    def __init__(self, data: bytes, block: int):
        self.ids = torch.tensor(list(data), dtype=torch.long)
        self.block = block

    def __len__(self):
        return len(self.ids) // self.block - 1

    def __getitem__(self, i):
        x = self.ids[i * self.block:(i + 1) * self.block]
        return {"input_ids": x, "labels": x}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-steps", type=int, default=400)
    ap.add_argument("--eval-steps", type=int, default=100)
    ap.add_argument("--save-steps", type=int, default=200)
    ap.add_argument("--logging-steps", type=int, default=10)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--eval-blocks", type=int, default=200)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--embd", type=int, default=128)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(0)
    data = corpus_bytes()
    cut = len(data) * 9 // 10
    train = Blocks(data[:cut], a.block)
    val = torch.utils.data.Subset(Blocks(data[cut:], a.block), range(a.eval_blocks))
    model = GPT2LMHeadModel(GPT2Config(vocab_size=256, n_positions=a.block, n_embd=a.embd,
                                       n_layer=a.layers, n_head=4, bos_token_id=0, eos_token_id=0))
    args = TrainingArguments(
        output_dir=a.out, max_steps=a.max_steps, eval_strategy="steps", eval_steps=a.eval_steps,
        save_steps=a.save_steps, logging_steps=a.logging_steps,
        gradient_accumulation_steps=a.grad_accum, per_device_train_batch_size=a.batch,
        per_device_eval_batch_size=a.batch, learning_rate=1e-3, report_to="none", use_cpu=True,
        disable_tqdm=False, dataloader_num_workers=0, save_total_limit=2)
    Trainer(model=model, args=args, train_dataset=train, eval_dataset=val).train()


if __name__ == "__main__":
    main()
