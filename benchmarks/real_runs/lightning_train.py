"""A real PyTorch Lightning run on the CPU: a tiny causal transformer on the local byte-level
text of corpus.py, with Lightning's tqdm progress bar and validation every
`--val-check` training batches.

    python benchmarks/real_runs/lightning_train.py --max-steps 1500 --val-check 250 --out DIR
"""

from __future__ import annotations

import argparse
import os
import sys

import lightning as L
from lightning.pytorch.callbacks import TQDMProgressBar
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import corpus_bytes  # noqa: E402
from hf_train import Blocks  # noqa: E402


class TinyLM(L.LightningModule):
    def __init__(self, block: int, embd: int, layers: int):
        super().__init__()
        self.emb = nn.Embedding(256, embd)
        self.pos = nn.Parameter(torch.zeros(block, embd))
        layer = nn.TransformerEncoderLayer(embd, 4, 4 * embd, dropout=0.0, batch_first=True)
        self.body = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(embd, 256)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(block))

    def loss(self, batch):
        x = batch["input_ids"]
        h = self.body(self.emb(x[:, :-1]) + self.pos[:x.shape[1] - 1],
                      mask=self.mask[:x.shape[1] - 1, :x.shape[1] - 1], is_causal=True)
        return nn.functional.cross_entropy(self.head(h).reshape(-1, 256), x[:, 1:].reshape(-1))

    def training_step(self, batch, i):
        loss = self.loss(batch)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, i):
        self.log("val_loss", self.loss(batch), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=1e-3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-steps", type=int, default=1500)
    ap.add_argument("--val-check", type=int, default=250)
    ap.add_argument("--val-batches", type=int, default=50)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--embd", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    L.seed_everything(0)
    data = corpus_bytes()
    cut = len(data) * 9 // 10
    train = torch.utils.data.DataLoader(Blocks(data[:cut], a.block), batch_size=a.batch, shuffle=True)
    val = torch.utils.data.DataLoader(Blocks(data[cut:], a.block), batch_size=a.batch)
    # one epoch of exactly max_steps batches, so the bar's total is the run's total
    trainer = L.Trainer(max_steps=a.max_steps, limit_train_batches=a.max_steps,
                        val_check_interval=a.val_check,
                        limit_val_batches=a.val_batches, accelerator="cpu", devices=1,
                        default_root_dir=a.out, logger=False, enable_checkpointing=False,
                        # Lightning's default bar where rich is not installed; rich's bar
                        # prints nothing until the end when the output is not a terminal
                        callbacks=[TQDMProgressBar()])
    trainer.fit(TinyLM(a.block, a.embd, a.layers), train, val)


if __name__ == "__main__":
    main()
