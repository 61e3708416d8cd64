import datetime as dt

from hypothesis import given, settings, strategies as st

from advisor.answers.answer import Shown
from advisor.read.facts import Source
from advisor.conversation import Conversation

from conftest import SEED_LINE, typed


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=500))
def test_any_message_gets_answers_never_an_exception(know, text):
    session = Conversation(know, "en")
    answers = session.handle(text)
    assert isinstance(answers, list)


def test_now_means_the_injected_clock(know):
    moment = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
    s = Conversation(know, "en", clock=lambda: moment)
    typed(s, "/set now=now", "/set max_iters=6000", "/set eval_interval=100000", SEED_LINE)
    [answer] = s.handle("/eta")
    assert answer.data["eta"].finish_at == moment + dt.timedelta(seconds=23571.149)


def test_aliases_map_to_nanogpt_names(know):
    s = Conversation(know, "en")
    s.handle("max_steps = 6000\nper_device_train_batch_size: 8")
    assert s.store.get("max_iters").value == 6000
    assert s.store.get("batch_size").value == 8
    assert s.store.get("max_iters").source is Source.USER


def test_config_dump_in_a_log_is_log_provenance_and_unsafe_lines_are_reported(know):
    s = Conversation(know, "en")
    [ack] = s.handle("Overriding config with config/x.py:\nmax_iters = 5 * 1000\n"
                     "wandb_run_name = 'ft-' + str(time.time())\n"
                     "out_dir = __import__('os').system('echo hacked')\n")
    fact = s.store.get("max_iters")
    assert fact.value == 5000 and fact.source is Source.LOG and fact.line == 2
    assert s.store.get("out_dir") is None
    assert {r["key"] for r in ack.data["rejected"]} == {"wandb_run_name", "out_dir"}


def test_eval_interval_from_evaluation_lines(know):
    s = Conversation(know, "en")
    s.handle("step 250: train loss 2.0, val loss 2.1\nstep 500: train loss 1.9, val loss 2.0\n"
             + "".join(f"iter {i}: loss 2.0, time 400.00ms, mfu 10.00%\n" for i in range(501, 540))
             + "max_iters = 1000")
    [answer] = s.handle("/eta")
    used = {f.key: f for f in answer.data["used"]}
    assert used["eval_interval"].value == 250 and used["eval_interval"].source is Source.DERIVED
    assert answer.data["eta"].evals_remaining == 2


def test_regen_and_undo_free_state(know):
    s = Conversation(know, "en")
    [err] = s.handle("/regen fr")
    assert err.error and err.data["code"] == "nothing_to_regen"
    s.handle(SEED_LINE + "max_iters = 6000")
    [eta] = s.handle("/eta")
    [regen] = s.handle("/regen fr")
    assert regen.answer is eta and regen.locale == "fr"
    assert s.locale == "en"


def test_regen_in_the_same_message_sees_the_answer_before_it(know):
    s = Conversation(know)
    answers = typed(s, "/example", "/regen fr")
    assert answers[0].kind == "example" and isinstance(answers[1], Shown)
    assert answers[1].answer is answers[0]


def test_values_as_people_type_them(know):
    s = Conversation(know)
    typed(s, "/set price_kwh=0,15", "/set trainer=llm.c", "/set max_iters=6,000", "/set dtype=torch.bfloat16")
    assert s.store.get("price_kwh").value == 0.15
    assert s.store.get("trainer").value == "llm.c"
    assert s.store.get("max_iters").value == 6000
    assert s.store.get("dtype").value == "torch.bfloat16"
