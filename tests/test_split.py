"""Title/author splits on the hard cases of real listings (hand-written lines)."""

from __future__ import annotations

import pytest

from refmanager.core.formats.listing_full import parse_title_line
from refmanager.core.split import split_title_authors

CASES = [
    # (glued line, title, first author)
    ("Mask R-CNNKaiming He, Georgia Gkioxari, Piotr Dollár, Ross Girshick", "Mask R-CNN", "Kaiming He"),
    ("Mistral 7BAlbert Q. Jiang, Alexandre Sablayrolles, Arthur Mensch et al.", "Mistral 7B", "Albert Q. Jiang"),
    ("GPT-4 Technical ReportOpenAI", "GPT-4 Technical Report", "OpenAI"),
    ("Sparks of Artificial General Intelligence: Early experiments with GPT-4Sébastien Bubeck, Varun Chandrasekaran et al.",
     "Sparks of Artificial General Intelligence: Early experiments with GPT-4", "Sébastien Bubeck"),
    ("Deep LearningYann LeCun, Yoshua Bengio, Geoffrey Hinton", "Deep Learning", "Yann LeCun"),
    ("Adam: A Method for Stochastic OptimizationDiederik P Kingma, Jimmy Ba", "Adam: A Method for Stochastic Optimization", "Diederik P Kingma"),
    ("WaveNet: A Generative Model for Raw AudioAaron van den Oord, Sander Dieleman, Heiga Zen",
     "WaveNet: A Generative Model for Raw Audio", "Aaron van den Oord"),
    ("BERT: Pre-training of Deep Bidirectional Transformers for Language UnderstandingJacob Devlin, Ming-Wei Chang, Kenton Lee",
     "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", "Jacob Devlin"),
    ("FlashAttention: Fast and Memory-Efficient Exact Attention with IO-AwarenessTri Dao, Daniel Y. Fu, Stefano Ermon",
     "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness", "Tri Dao"),
    ("Is Attention All You Need?Ashish Vaswani, Noam Shazeer", "Is Attention All You Need?", "Ashish Vaswani"),
    ("Scaling Laws for Neural Language Models (Revisited)Jared Kaplan, Sam McCandlish",
     "Scaling Laws for Neural Language Models (Revisited)", "Jared Kaplan"),
    ("Evaluating Large Language Models Trained on Code on GitHubMark Chen, Jerry Tworek",
     "Evaluating Large Language Models Trained on Code on GitHub", "Mark Chen"),
    ("Gemini: A Family of Highly Capable Multimodal ModelsGemini Team", "Gemini: A Family of Highly Capable Multimodal Models", "Gemini Team"),
    ("Learning, Fast and Slow: A Study of Two SystemsJohn Smith, Jane Doe", "Learning, Fast and Slow: A Study of Two Systems", "John Smith"),
    ("Differentially Private Learning, RevisitedRyan McKenna, Thomas Steinke", "Differentially Private Learning, Revisited", "Ryan McKenna"),
    ("Segment Anything in the Wild with ViTPiotr Dollár, Ross Girshick", "Segment Anything in the Wild with ViT", "Piotr Dollár"),
    ("Curiosity-Driven ExplorationZhaohan Daniel Guo, Bilal Piot", "Curiosity-Driven Exploration", "Zhaohan Daniel Guo"),
    ("Learning to Reason with GPT-4Josh Achiam, Steven Adler", "Learning to Reason with GPT-4", "Josh Achiam"),
    ("Towards Robust Agents (Part 2)Ming-Wei Chang, Kenton Lee", "Towards Robust Agents (Part 2)", "Ming-Wei Chang"),
    ("Llama 3.1: Open Foundation ModelsHugo Touvron, Louis Martin", "Llama 3.1: Open Foundation Models", "Hugo Touvron"),
]


@pytest.mark.parametrize("line,title,first", CASES, ids=[c[1][:30] for c in CASES])
def test_hard_splits(line, title, first):
    info = parse_title_line(line)
    assert info["title"] == title
    assert info["authors"][0] == first


def test_et_al_and_orgs_are_peeled_off():
    info = parse_title_line(
        "Gemma 3 Technical ReportGemma Team, Aishwarya Kamath, Johan Ferret et al. · deepmind, mit"
    )
    assert info["title"] == "Gemma 3 Technical Report"
    assert info["authors"] == ["Gemma Team", "Aishwarya Kamath", "Johan Ferret"]
    assert info["et_al"] is True
    assert info["orgs"] == ["deepmind", "mit"]


def test_arxiv_token_on_title_line_is_the_papers_id():
    info = parse_title_line("Gemma 2: Open ModelsGemma Team, Morgane Riviere arXiv:2408.00118v3")
    assert info["arxiv_id"] == "2408.00118"
    assert info["authors"] == ["Gemma Team", "Morgane Riviere"]


def test_confident_split_keeps_alternatives():
    r = split_title_authors("Mask R-CNNKaiming He, Georgia Gkioxari")
    assert r.title == "Mask R-CNN"
    assert r.alternatives, "runner-up splits are kept for review"
    assert r.alternatives[0].title != "Mask R-CNN"


def test_unsure_split_is_flagged():
    # Nothing tells whether "More" ends the title or is a one-word author.
    r = split_title_authors("Notes on WordsMore")
    assert r.needs_review is True


def test_known_name_tips_the_balance():
    line = "A Study of AttentionBo Li"
    plain = split_title_authors(line)
    assert plain.title == "A Study of Attention"
    known = split_title_authors("Scaling UpLi", known=lambda n: n == "Li")
    assert known.authors == ["Li"]


# Real lines as listing pages glue them (title + first authors), from well-known arXiv papers.
REAL = [
    ("Llama 2: Open Foundation and Fine-Tuned Chat ModelsHugo Touvron, Louis Martin, Kevin Stone",
     "Llama 2: Open Foundation and Fine-Tuned Chat Models", "Hugo Touvron"),
    ("DeepSeek-V3 Technical ReportDeepSeek-AI, Aixin Liu, Bei Feng", "DeepSeek-V3 Technical Report", "DeepSeek-AI"),
    ("Mixtral of ExpertsAlbert Q. Jiang, Alexandre Sablayrolles, Antoine Roux", "Mixtral of Experts", "Albert Q. Jiang"),
    ("An Image is Worth 16x16 Words: Transformers for Image Recognition at ScaleAlexey Dosovitskiy, Lucas Beyer",
     "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", "Alexey Dosovitskiy"),
    ("Language Models are Few-Shot LearnersTom B. Brown, Benjamin Mann, Nick Ryder",
     "Language Models are Few-Shot Learners", "Tom B. Brown"),
    ("Training language models to follow instructions with human feedbackLong Ouyang, Jeff Wu, Xu Jiang",
     "Training language models to follow instructions with human feedback", "Long Ouyang"),
    ("QLoRA: Efficient Finetuning of Quantized LLMsTim Dettmers, Artidoro Pagnoni, Ari Holtzman",
     "QLoRA: Efficient Finetuning of Quantized LLMs", "Tim Dettmers"),
    ("Scaling Instruction-Finetuned Language ModelsHyung Won Chung, Le Hou, Shayne Longpre",
     "Scaling Instruction-Finetuned Language Models", "Hyung Won Chung"),
    ("Mamba: Linear-Time Sequence Modeling with Selective State SpacesAlbert Gu, Tri Dao",
     "Mamba: Linear-Time Sequence Modeling with Selective State Spaces", "Albert Gu"),
    ("FlashAttention-2: Faster Attention with Better Parallelism and Work PartitioningTri Dao",
     "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning", "Tri Dao"),
    ("Efficient Memory Management for Large Language Model Serving with PagedAttentionWoosuk Kwon, Zhuohan Li",
     "Efficient Memory Management for Large Language Model Serving with PagedAttention", "Woosuk Kwon"),
    ("Gemini 1.5: Unlocking multimodal understanding across millions of tokens of contextGemini Team, Petko Georgiev",
     "Gemini 1.5: Unlocking multimodal understanding across millions of tokens of context", "Gemini Team"),
    ("Sequence to Sequence Learning with Neural NetworksIlya Sutskever, Oriol Vinyals, Quoc V. Le",
     "Sequence to Sequence Learning with Neural Networks", "Ilya Sutskever"),
    ("word2vec Explained: deriving Mikolov et al.'s negative-sampling word-embedding methodYoav Goldberg, Omer Levy",
     "word2vec Explained: deriving Mikolov et al.'s negative-sampling word-embedding method", "Yoav Goldberg"),
    ("Are Emergent Abilities of Large Language Models a Mirage?Rylan Schaeffer, Brando Miranda, Sanmi Koyejo",
     "Are Emergent Abilities of Large Language Models a Mirage?", "Rylan Schaeffer"),
    ("Let's Verify Step by StepHunter Lightman, Vineet Kosaraju, Yura Burda",
     "Let's Verify Step by Step", "Hunter Lightman"),
    ("Retrieval-Augmented Generation for Knowledge-Intensive NLP TasksPatrick Lewis, Ethan Perez",
     "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks", "Patrick Lewis"),
    ("Zephyr: Direct Distillation of LM AlignmentLewis Tunstall, Edward Beeching, Nathan Lambert",
     "Zephyr: Direct Distillation of LM Alignment", "Lewis Tunstall"),
    ("GPT-NeoX-20B: An Open-Source Autoregressive Language ModelSid Black, Stella Biderman",
     "GPT-NeoX-20B: An Open-Source Autoregressive Language Model", "Sid Black"),
    ("Deep Learning Scaling is Predictable, EmpiricallyJoel Hestness, Sharan Narang",
     "Deep Learning Scaling is Predictable, Empirically", "Joel Hestness"),
    ("Visualizing Data using t-SNELaurens van der Maaten, Geoffrey Hinton",
     "Visualizing Data using t-SNE", "Laurens van der Maaten"),
    ("Neural Ordinary Differential EquationsRicky T. Q. Chen, Yulia Rubanova, Jesse Bettencourt",
     "Neural Ordinary Differential Equations", "Ricky T. Q. Chen"),
    ("Attention Is Not All You NeedŁukasz Kaiser, Çağlar Gülçehre", "Attention Is Not All You Need", "Łukasz Kaiser"),
    ("A Dream of a Fair SocietyMartin Luther King Jr., Coretta Scott King",
     "A Dream of a Fair Society", "Martin Luther King Jr."),
    ("Generative Agents: Interactive Simulacra of Human BehaviorJoon Sung Park, Joseph C. O'Brien",
     "Generative Agents: Interactive Simulacra of Human Behavior", "Joon Sung Park"),
    ("SWE-bench: Can Language Models Resolve Real-World GitHub Issues?Carlos E. Jimenez, John Yang",
     "SWE-bench: Can Language Models Resolve Real-World GitHub Issues?", "Carlos E. Jimenez"),
]


@pytest.mark.parametrize("line,title,first", REAL, ids=[c[1][:30] for c in REAL])
def test_real_world_splits(line, title, first):
    info = parse_title_line(line)
    assert (info["title"], info["authors"][0]) == (title, first)


def test_line_with_nowhere_to_split_imports_flagged():
    from refmanager.core.formats import parse_text

    parsed = parse_text("CLJan 2, 2026\nall lower case title by nobody\nAn abstract.\n", "x.txt")
    (e,) = parsed.entries
    assert e.title == "all lower case title by nobody" and e.authors == [] and e.needs_review is True


# ------------------------------------------------------------ issue 15
#: A comma inside a title with no space after it is the title's own ("3,000"): the
#: title is the line's text up to the cut, character for character.
VERBATIM = [
    ("Scaling Up to 3,000 GPUsAlice Smith, Bob Jones", "Scaling Up to 3,000 GPUs", ["Alice Smith", "Bob Jones"]),
    ("Attention,Please: Notes,Revisited Ashish VaswaniNoam Shazeer, Niki Parmar",
     "Attention,Please: Notes,Revisited Ashish Vaswani", ["Noam Shazeer", "Niki Parmar"]),
    ("Learning  Fast,  and Slow: 1,2,3John Smith,Jane Doe", "Learning  Fast,  and Slow: 1,2,3", ["John Smith", "Jane Doe"]),
]


@pytest.mark.parametrize("line,title,authors", VERBATIM, ids=[c[1][:30] for c in VERBATIM])
def test_a_title_is_stored_as_given(line, title, authors):
    r = split_title_authors(line)
    assert (r.title, r.authors) == (title, authors)


#: A team written as one CamelCase word, glued to a title ending in a capitalised word.
CAMEL_TEAMS = [
    ("Gemma 3 Technical ReportGemmaTeam, Aishwarya Kamath", "Gemma 3 Technical Report", "GemmaTeam"),
    ("The Llama 3 Herd of ModelsLlamaTeam, Abhimanyu Dubey", "The Llama 3 Herd of Models", "LlamaTeam"),
    ("Phi-3 Technical Report: A Highly Capable Language Model Locally on Your PhoneMicrosoftResearch, Marah Abdin",
     "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone", "MicrosoftResearch"),
    ("Magistral: Reasoning at Scale with MistralMistralAI, Abhinav Rastogi",
     "Magistral: Reasoning at Scale with Mistral", "MistralAI"),
]


@pytest.mark.parametrize("line,title,first", CAMEL_TEAMS, ids=[c[1][:30] for c in CAMEL_TEAMS])
def test_a_camelcase_team_is_not_cut_inside(line, title, first):
    r = split_title_authors(line)
    assert (r.title, r.authors[0]) == (title, first)
    assert not r.needs_review  # confident, and right


#: Two readings both plausible: flagged for review, whichever wins.
AMBIGUOUS = [
    "Results on ImageNetStabilityAI, Robin Rombach",  # "ImageNet" + "StabilityAI" or "Image" + "NetStabilityAI"
    "Kimi k1.5: Scaling Reinforcement Learning with LLMsKimiTeam, Angang Du",  # "LLMs" | "LL" + "MsKimiTeam"
    "Towards Better ModelsInternLMTeam, Zheng Cai",  # "InternLMTeam" or "LMTeam"
]


@pytest.mark.parametrize("line", AMBIGUOUS)
def test_two_plausible_readings_are_flagged(line):
    r = split_title_authors(line)
    assert r.needs_review
    assert r.alternatives  # the other reading is kept for the user
