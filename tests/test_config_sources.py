"""Config values from every source a user has at hand, with provenance; later wins."""

from advisor.read.facts import Source
from advisor.conversation import Conversation


def facts(know, text):
    s = Conversation(know)
    s.handle(text)
    return s


def test_nanogpt_config_file_and_override_lines(know):
    s = facts(know, "batch_size = 12\ngradient_accumulation_steps = 5 * 8\n"
                    "Overriding: max_iters = 6000\nwandb_run_name = 'gpt2-124M'")
    assert s.store.get("gradient_accumulation_steps").value == 40
    assert s.store.get("max_iters").value == 6000
    assert s.store.get("wandb_run_name").value == "gpt2-124M"


def test_command_line_style_and_yaml_and_json(know):
    s = facts(know, "--max_iters=6000\nlearning_rate: 3e-4\n\"n_layer\": 24,\n\"block_size\": 2048")
    assert s.store.get("max_iters").value == 6000
    assert s.store.get("learning_rate").value == 3e-4
    assert s.store.get("n_layer").value == 24 and s.store.get("block_size").value == 2048


def test_hf_training_arguments_dump(know):
    s = facts(know, "TrainingArguments(\n_n_gpu=1,\nper_device_train_batch_size=8,\n"
                    "gradient_accumulation_steps=4,\nlearning_rate=2e-05,\nmax_steps=873,\n"
                    "eval_steps=100,\n)")
    assert s.store.get("batch_size").value == 8 and s.store.get("max_iters").value == 873
    assert s.store.get("eval_interval").value == 100


def test_megatron_argument_dump(know):
    s = facts(know, "------------------------ arguments ------------------------\n"
                    "  micro_batch_size ................................ 4\n"
                    "  seq_length ...................................... 2048\n"
                    "  train_iters ..................................... 100\n"
                    "  num_layers ...................................... 24\n")
    assert s.store.get("batch_size").value == 4 and s.store.get("block_size").value == 2048
    assert s.store.get("max_iters").value == 100 and s.store.get("n_layer").value == 24


def test_later_source_wins_and_is_reported(know):
    s = Conversation(know)
    s.handle("max_iters = 5000")
    s.handle("/set max_iters=6000")
    assert s.store.get("max_iters").value == 6000 and s.store.get("max_iters").source is Source.USER
    assert [(o.old.value, o.new.value) for o in s.store.overrides] == [(5000, 6000)]
