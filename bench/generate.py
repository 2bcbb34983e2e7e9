"""Deterministic synthetic "full listing" files for the benchmarks.

Why synthetic: the seeds hold 19 papers; performance at 10k-1M papers needs
listings that look like real ones (title lengths, CamelCase model names,
acronyms, versions, accented names, particles, team names, orgs, long
abstracts with the common openings real abstracts share) and whose correct
title/author split is known, so the benchmark can also check correctness.

Unambiguous by construction:

* every author name starts with a capital letter (a particle such as
  ``van den`` only ever follows a first name), so the glue point between the
  title and the first author is a real "non-space then capital" cut;
* a title never ends in a particle, a name prefix (``Le``, ``Mc``), a comma,
  a colon or a lone capital letter, never contains `` · `` or ``et al`` and
  never uses a person's first name as a title word;
* titles are unique after normalisation (``title_key``), so no two generated
  papers merge by title.

The truth (title and authors of every paper) is written next to each listing
as JSON lines.  Files hold at most 100,000 papers; the same seed always gives
byte-identical files, and a smaller size is a prefix of a larger one.

    .venv/bin/python -m bench.generate --sizes 10k,100k --out bench/out/data
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from refmanager.core.categories import code_to_category
from refmanager.core.textnorm import title_key

log = logging.getLogger(__name__)

#: Papers per generated file (well under the product's file-size limit).
PER_FILE = 100_000
DEFAULT_SEED = 20240731

# ----------------------------------------------------------------- vocabulary
FIRST_NAMES = (
    "Albert Morgane Shreya Thomas Cassidy Aishwarya Johan Daniel Corentin Florent Shangmin Biao "
    "Tianlin Andreas André Michael Andrew Sahar Tiam Aleksandar Soham Samuel Henrique Sahil Amer "
    "Ryan Harrison Samrat Hassan Zhaohan Mohammad Alaa Théophane Fabio Anna Will Gaetan Joao "
    "Benjamin Anirudh Jonathan Wulfram Johanni Yoshua Asja Jorg Yann Kaiming Ross Piotr Łukasz "
    "Ming-Wei Dong-Hyun Jean-Baptiste Zoë François Frédéric José María Sofía Jürgen Sebastián "
    "Noémie Chloé Hélène Søren Åsa Bjørn Mikołaj Dražen Ondřej Tomáš Çağlar Gülşen Ilya Oriol "
    "Quoc Xin Yi Jie Hao Lei Yu Jun Zhi Xiao Hyung Won Seung Ji-Hoon Sang-Woo Priya Arjun "
    "Rohan Ananya Vikram Kavya Ahmed Fatima Omar Layla Yusuf Amara Chidi Ngozi Kwame Ama Emeka "
    "Lucas Mateo Valentina Camila Diego Gabriel Isabela Rafael Beatriz Tiago Inês Matteo Giulia "
    "Alessandro Francesca Lorenzo Chiara Pieter Sanne Joris Lotte Maarten Katrin Stefan Lena "
    "Tobias Hannah Felix Jonas Elena Dmitri Olga Sergey Natalia Ivan Yulia Mikhail Ekaterina "
    "Hiroshi Yuki Kenji Sakura Takeshi Aiko Minh Linh Thanh Anh Duc Kevin Emily Sarah David "
    "Laura James Rachel Christopher Jessica Matthew Olivia Nathan Grace Ethan Maya Noah Ava "
    "Liam Emma Oscar Nora Hugo Alice Jakub Zofia Mateusz Katarzyna Henrik Ingrid Lars Sigrid"
).split()
MIDDLES = ("Q.", "L", "J.", "A.", "M.", "K.", "R.", "S.", "T.", "J.-P.", "Daniel", "Marie", "E.")
SURNAMES = (
    "Jiang Riviere Pathak Mesnard Hardin Kamath Ferret Jarrett Tallec Altché Guo Zhang Liu "
    "Steiner Pinto Tschannen Sellergren Kazemzadeh Jaroensri Botev De Smith Vera Dua Sinha "
    "McKenna Lee Phatale Mansoor Azar Saade Weber Viola Harutyunyan Dabney Vignoud Sacramento "
    "Scellier Goyal Binas Gerstner Brea Bengio Fischer Bornschein LeCun He Girshick Dollár "
    "Kaiser Müller García Martínez Rodríguez Hernández López González Pérez Sánchez Nguyen "
    "Tran Pham Hoang Chen Wang Li Zhao Huang Wu Zhou Xu Sun Ma Zhu Hu Lin Kim Park Choi Jung "
    "Kang Cho Yoon Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Sato "
    "Sharma Gupta Singh Kumar Patel Reddy Iyer Nair Rao Das Okafor Adeyemi Mensah Boateng "
    "Abebe Haddad Khalil Mansour Nasser Rossi Russo Ferrari Esposito Bianchi Romano Colombo "
    "Bakker Janssen Visser Smit Meijer Schmidt Schneider Fischer Wagner Becker Hoffmann "
    "Schäfer Koch Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
    "Hartmann Lange Werner Krause Lehmann Köhler Ivanov Petrov Sokolov Kuznetsov Popov "
    "Novak Kowalski Wiśniewski Wójcik Kamiński Nowak Dvořák Černý Svoboda Novotný Horváth "
    "Nagy Kovács Szabó Tóth Yılmaz Kaya Demir Şahin Çelik Öztürk Andersen Nielsen Hansen "
    "Johansson Karlsson Eriksson Larsson Olsen Pedersen Lindqvist O'Brien O'Neill MacDonald "
    "McCarthy FitzGerald D'Amico Dubois Lefèvre Moreau Laurent Girard Bonnet Dupont Lambert "
    "Fontaine Rousseau Vincent Muller Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "Brown Johnson Williams Jones Miller Davis Wilson Anderson Taylor Moore Jackson White Harris "
    "Martin Thompson Robinson Clark Lewis Walker Hall Allen Young King Wright Scott Green Baker"
).split()
#: Surnames safe to join with a hyphen (no inner capital or apostrophe).
_PLAIN_SURNAMES = tuple(s for s in SURNAMES if s[1:].islower() and s.isalpha())
#: Surnames with a particle: always after a first name, never first in a name.
PARTICLE_SURNAMES = (
    "van den Oord", "van der Maaten", "de Vries", "von Werra", "van Gool", "de Freitas",
    "dos Santos", "da Silva", "di Langosco", "van Steenkiste", "de Masson", "von Oswald",
    "Le Scao", "De Bortoli",
)
TEAMS = (
    "Gemma Team", "Llama Team", "Qwen Team", "Gemini Team", "Mistral Team", "Falcon Team",
    "Pythia Collaboration", "OpenAI", "DeepSeek-AI", "Anthropic",
)
ORGS = (
    "deepmind google mit stanford berkeley cmu tsinghua peking oxford cambridge eth epfl mila "
    "inria meta microsoft nvidia toronto ucl kaist nyu princeton harvard caltech tum "
    "mpi-is uw-madison allen ai2 huggingface baidu alibaba tencent bytedance"
).split()
CATEGORY_CODES = (
    ("CL", 20), ("LG", 22), ("AI", 10), ("CV", 16), ("CR", 4), ("NE", 3), ("ML", 6), ("NC", 2),
    ("RO", 4), ("IR", 3), ("SE", 2), ("DC", 2), ("HC", 2), ("DB", 1), ("SD", 1), ("MA", 1),
    ("GT", 1), ("SI", 1), ("CY", 1), ("DS", 1),
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

ADJECTIVES = (
    "Efficient Scalable Robust Open Lightweight Differentially Private Multimodal Sparse Dense "
    "Hierarchical Recurrent Generative Contrastive Causal Bayesian Adaptive Federated Neural "
    "Deep Shallow Linear Nonlinear Stochastic Deterministic Continual Compositional Interpretable "
    "Faithful Universal Conditional Latent Implicit Explicit Unified Modular Structured Discrete "
    "Continuous Local Global Parallel Distributed Low-Rank Long-Context Zero-Shot Few-Shot "
    "Self-Supervised Semi-Supervised Unsupervised Offline Online Model-Free Model-Based "
    "Curious Intrinsic Hindsight Counterfactual Equivariant Invariant Geometric Probabilistic "
    "Practical Fast Accurate Verifiable Secure Fair Calibrated Grounded Embodied Visual"
).split()
NOUNS = (
    "Models Language Transformers Attention Networks Learning Representations Exploration "
    "Environments Alignment Feedback Reasoning Agents Policies Rewards Planning Retrieval "
    "Generation Diffusion Embeddings Tokenizers Benchmarks Evaluation Distillation Pretraining "
    "Fine-Tuning Inference Decoding Sampling Optimization Gradients Backpropagation Dynamics "
    "Propagation Plasticity Neurons Memory Compression Quantization Pruning Scaling Laws "
    "Graphs Trees Programs Code Proofs Theorems Mathematics Vision Speech Audio Video Images "
    "Robots Manipulation Navigation Control Games Search Privacy Security Robustness Fairness "
    "Uncertainty Calibration Generalization Transfer Adaptation Tasks Instructions Preferences "
    "Hallucinations Factuality Summarization Translation Dialogue Questions Answers Knowledge "
    "Experts Mixtures Routing Layers Heads Circuits Features Interpretability Steering Safety "
    "Agents Tools Simulators Worlds Curricula Datasets Corpora Annotations Labels Priors Posteriors"
).split()
SINGULAR = (
    "Model Approach Framework Method Study Analysis Perspective Benchmark Dataset Architecture "
    "Algorithm Objective Estimator Policy Agent Encoder Decoder Tokenizer Recipe Baseline Survey"
).split()
FUNCTION = ("for", "of", "in", "with", "via", "and", "from", "on", "through", "without", "beyond", "under")
MODEL_PREFIX = (
    "Recurrent Vault Med Embedding Pali Code Flash Deep Mega Tiny Open Long Sparse Mix Vision "
    "Speech Graph Neuro Auto Meta Hyper Omni Star Wizard Orca Phi Dolphin Falcon Sky Nova"
).split()
MODEL_BASE = "Gemma Llama Former BERT Net GPT Mamba Diffusion CLIP Seek Mind Coder Math Bench Mixer Vit Gen Attention".split()
STANDALONE_MODELS = (
    "GPT-4", "GPT-4o", "GPT-3.5", "Llama 3", "Llama 2", "T5", "BERT", "RoBERTa", "ResNet-50",
    "Mask R-CNN", "Mistral 7B", "Mixtral 8x7B", "Gemma 2", "Gemma 3", "PaLM 2", "Chinchilla",
    "AlphaZero", "MuZero", "AlphaFold", "Whisper", "Stable Diffusion", "DALL-E 3", "ViT-L/14",
    "Qwen2.5", "DeepSeek-V3", "Claude 3", "Gemini 1.5", "BYOL-Explore",
)
ACRONYMS = (
    "LLMs", "VLMs", "GNNs", "CNNs", "RNNs", "RLHF", "RLAIF", "NLP", "MoE", "LoRA", "RAG", "SGD",
    "MCTS", "ViTs", "GANs", "VAEs", "AI", "RL", "ML", "QA", "ASR", "TTS", "MLLMs", "SSMs", "KV",
)
VERSIONS = ("7B", "70B", "1.5B", "2B", "9B", "27B", "405B", "v2", "2.0", "3.1", "8x7B", "1B", "13B")
QUESTION_HEADS = ("Can", "Do", "Does", "Are", "Is", "Should", "When Do", "Why Do", "How Do", "What Makes")
VERBS = (
    "Reason Plan Generalize Memorize Learn Explore Deceive Calibrate Transfer Scale Forget "
    "Hallucinate Compose Abstract Count Search Cooperate Generalise Align"
).split()

#: Abstract vocabulary (plain lower-case words) and sentence shapes.
ABS_WORDS = (
    "model models method approach framework training data performance results task tasks "
    "learning representation representations network networks language vision reasoning "
    "benchmark benchmarks evaluation state-of-the-art baseline baselines experiments analysis "
    "parameters scale scaling efficient efficiency robust robustness generalization accuracy "
    "inference latency memory compute tokens sequence sequences attention layer layers "
    "objective loss gradient optimization policy reward agent environment exploration "
    "distribution distributions uncertainty prior posterior sampling generation quality "
    "alignment preference feedback human humans safety privacy fairness interpretability "
    "features circuits neurons dynamics structure structures graph graphs retrieval knowledge "
    "domain domains transfer adaptation fine-tuning pretraining corpus dataset datasets "
    "annotation labels supervision signal signals noise stochastic deterministic continuous "
    "discrete latent hierarchical modular compositional causal counterfactual theoretical "
    "empirical practical simple novel general specific strong weak large small open closed"
).split()
OPENINGS = (
    "Large language models (LLMs) have demonstrated remarkable capabilities across a wide range of tasks.",
    "In this paper, we propose a novel {adj} approach to {noun}.",
    "In this work, we introduce {model}, a {adj} {noun2} for {noun}.",
    "We introduce {model}, a family of {adj} models for {noun}.",
    "Recent advances in {noun} have enabled {adj} systems, but {noun2} remains challenging.",
    "Consider the problem of {noun} in {adj} environments.",
    "Despite their success, {acr} often struggle with {noun}.",
    "{Noun} is a central problem in machine learning.",
    "We study {noun} from the perspective of {noun2}.",
    "Reinforcement learning from human feedback (RLHF) has emerged as the main paradigm for aligning {acr}.",
)
SENTENCES = (
    "We show that {model} achieves {adj} {w} on {n} {w} {w}, outperforming {w} {w} by {pct}%.",
    "Our {w} relies on a {adj} {w} of the {w} {w} and scales to {ver} parameters.",
    "To this end, we {verb} a {w} {w} that combines {w} {w} with {w} {w}.",
    "Experiments on {n} {w} demonstrate that the proposed {w} improves {w} and {w}.",
    "We further analyse the {w} of {acr} and find that {w} {w} is {adj2} for {w} {w}.",
    "Unlike prior {w}, our {w} does not require {w} {w} or {w} {w}.",
    "We release {w} {w}, {w} and {w} to the community to foster research on {noun}.",
    "Theoretical {w} shows that the {w} {w} converges under {w} {w} assumptions.",
    "Finally, we discuss {w} of {w} {w} and directions for {w} {w} on {rare}.",
    "The resulting {w} deliver the best {w} for their {w}, and are competitive with {model} at {ver}.",
    "Notably, we show {adj2} {w} in {rare} {w}, while preserving {w} in the {w} setting.",
    "Ablations reveal that {w} {w} and {rare} {w} account for most of the {w}.",
)

_SYLLABLES = (
    "ka ro mi ne tu sa lo vi da pe qua zel tri mor ven dal sor fin gra bel cor nix tal pol "
    "ser gim lu fa ho bre sti mon rix ter zan bo"
).split()


def _rare_words(rng: random.Random, n: int) -> list[str]:
    """A long tail of made-up technical words (real abstracts have a big vocabulary)."""
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) + rng.choice(("", "ic", "ity", "ation", "ous", "er")))
    words = sorted(out)
    rng.shuffle(words)
    return words


def _seed_title_keys() -> list[str]:
    from refmanager.core.formats import listing_full
    from refmanager.core.locations import seed_files

    keys = []
    for f in seed_files():
        text = f.read_text(encoding="utf-8")
        if listing_full.detect(text):
            keys += [title_key(e.title) or "" for e in listing_full.parse(text).entries]
    return keys


@dataclass
class Paper:
    """One generated paper and the lines a full listing shows for it."""

    header: str
    title: str
    authors: list[str]
    et_al: bool
    orgs: list[str]
    date: str
    category: str
    abstract: str
    tags: list[str] = field(default_factory=list)
    note: str | None = None

    def listing(self) -> str:
        line = self.title + ", ".join(self.authors)
        if self.et_al:
            line += " et al."
        if self.orgs:
            line += " · " + ", ".join(self.orgs)
        return f"{self.header}\n{line}\n{self.abstract}\n"

    def truth(self) -> dict[str, object]:
        return {"title": self.title, "authors": self.authors}


class Generator:
    """Papers from one seeded random stream; titles unique across the stream."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        # The bundled seeds may share a library with generated papers: never reuse their titles.
        self.seen_titles: set[str] = set(_seed_title_keys())
        rng = random.Random(seed ^ 0x5EED)
        self.rare = _rare_words(rng, 40_000)
        self.models = sorted({p + b for p in MODEL_PREFIX for b in MODEL_BASE})
        self.codes = [c for c, _ in CATEGORY_CODES]
        self.code_weights = [w for _, w in CATEGORY_CODES]
        # A fixed pool of authors so that names recur (as in real listings).
        self.people = self._people(rng, 60_000)
        self.tags = self._tag_names(rng, 3_000)
        self.first_names = frozenset(FIRST_NAMES)

    # --------------------------------------------------------------- people
    @staticmethod
    def _people(rng: random.Random, n: int) -> list[str]:
        out: set[str] = set()
        while len(out) < n:
            first = rng.choice(FIRST_NAMES)
            r = rng.random()
            if r < 0.06:
                last = rng.choice(PARTICLE_SURNAMES)
            elif r < 0.10:
                last = rng.choice(_PLAIN_SURNAMES) + "-" + rng.choice(_PLAIN_SURNAMES)
            else:
                last = rng.choice(SURNAMES)
            if rng.random() < 0.15:
                first = first + " " + rng.choice(MIDDLES)
            out.add(f"{first} {last}")
        people = sorted(out)
        rng.shuffle(people)  # the common head is not alphabetical
        return people

    @staticmethod
    def _tag_names(rng: random.Random, n: int) -> list[str]:
        topics = [w.lower() for w in NOUNS + ADJECTIVES]
        out: set[str] = {"to-read", "important", "reading group", "survey", "cite-in-thesis", "à lire"}
        while len(out) < n:
            r = rng.random()
            a, b = rng.choice(topics), rng.choice(topics)
            if r < 0.4:
                out.add(f"{a}/{b}")
            elif r < 0.6:
                out.add(f"{a}-{b}")
            elif r < 0.8:
                out.add(f"project-{a}-{rng.randint(1, 99)}")
            else:
                out.add(f"rg-{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{a}")
        tags = sorted(out)
        rng.shuffle(tags)
        return tags

    def _skewed_index(self, n: int, power: float) -> int:
        """Index in [0, n) with a heavy head: P(index < x*n) = x**(1/power)."""
        return min(n - 1, int(n * self.rng.random() ** power))

    def _author(self) -> str:
        return self.people[self._skewed_index(len(self.people), 2.0)]

    # ---------------------------------------------------------------- title
    def _noun_phrase(self) -> list[str]:
        rng = self.rng
        words: list[str] = []
        if rng.random() < 0.6:
            words.append(rng.choice(ADJECTIVES))
        r = rng.random()
        if r < 0.12:
            words.append(rng.choice(ACRONYMS))
        elif r < 0.2:
            words.append(rng.choice(self.models))
        else:
            words.append(rng.choice(NOUNS))
        if rng.random() < 0.25:
            words.append(rng.choice(NOUNS))
        return words

    def _phrase(self, target: int) -> list[str]:
        rng = self.rng
        words = self._noun_phrase()
        while len(words) < target:
            words.append(rng.choice(FUNCTION))
            if rng.random() < 0.15:
                words.append("the")
            words.extend(self._noun_phrase())
        return words

    def _model_name(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return rng.choice(self.models)
        if r < 0.8:
            return rng.choice(STANDALONE_MODELS)
        return rng.choice(self.models) + " " + rng.choice(VERSIONS)

    def _title_once(self) -> str:
        rng = self.rng
        target = rng.randint(5, 20)
        r = rng.random()
        if r < 0.25:
            head = self._model_name()
            words = [head + ":"] + self._phrase(max(3, target - len(head.split())))
        elif r < 0.35:
            q = rng.choice(QUESTION_HEADS).split() + [rng.choice(ACRONYMS + tuple(NOUNS)), rng.choice(VERBS)]
            words = q + self._phrase(max(2, target - len(q)))
            words[-1] += "?"
        elif r < 0.45:
            words = self._phrase(max(3, target // 2)) + [":"] + self._phrase(max(2, target // 2))
            words = " ".join(words).replace(" :", ":").split()
        elif r < 0.52:
            words = [self._model_name(), "Technical", "Report"]
            if rng.random() < 0.5:
                words = [self._model_name(), rng.choice(VERSIONS), "Technical", "Report"]
        elif r < 0.62:
            words = self._phrase(target - 2) + ["with", self._model_name()]
        elif r < 0.70:
            words = ["Towards"] + self._phrase(target - 1)
        elif r < 0.73:
            # an occasional comma inside the title
            words = self._phrase(2) + ["and"] + self._phrase(target - 3)
            words[1] += ","
        else:
            words = self._phrase(target)
        if rng.random() < 0.15:
            # sentence case, as some authors write titles
            words = [words[0]] + [w.lower() if w in NOUNS or w in ADJECTIVES else w for w in words[1:]]
        title = " ".join(words)
        return title[0].upper() + title[1:]

    def _title_end_ok(self, title: str, last: str) -> bool:
        """No title ending the way a name or a list goes on (a function word, a first name, a
        particle, punctuation, one capital): the split could not tell where the authors start."""
        if last.lower() in FUNCTION or last.lower() in ("the", "and", "a"):
            return False
        if last.rstrip("?") in self.first_names or last in ("Le", "La", "De", "Di", "Da", "Du", "Van", "Von", "Mc", "Mac", "St"):
            return False
        if title.endswith((",", ":", ";", "-", "&")) or " · " in title or "et al" in title:
            return False
        return not (len(last) == 1 and last.isupper())

    def _title_ok(self, title: str) -> bool:
        words = title.split()
        if not self._title_end_ok(title, words[-1]):
            return False
        return 5 <= len(words) <= 20 or "Technical Report" in title

    def title(self) -> str:
        while True:
            t = self._title_once()
            if not self._title_ok(t):
                continue
            key = title_key(t) or ""
            if key in self.seen_titles:
                continue
            self.seen_titles.add(key)
            return t

    # ------------------------------------------------------------- abstract
    def _fill(self, template: str, title_nouns: list[str], model: str) -> str:
        rng = self.rng

        def w() -> str:
            if rng.random() < 0.06:
                return self.rare[self._skewed_index(len(self.rare), 2.0)]
            return rng.choice(ABS_WORDS)

        out = template
        while "{" in out:
            i = out.index("{")
            j = out.index("}", i)
            key = out[i + 1 : j]
            if key == "w":
                val = w()
            elif key == "adj" or key == "adj2":
                val = rng.choice(ADJECTIVES).lower()
            elif key == "noun" or key == "noun2":
                val = (rng.choice(title_nouns) if title_nouns and rng.random() < 0.5 else rng.choice(NOUNS)).lower()
            elif key == "Noun":
                val = rng.choice(NOUNS)
            elif key == "model":
                val = model
            elif key == "acr":
                val = rng.choice(ACRONYMS)
            elif key == "verb":
                val = rng.choice(("propose", "introduce", "design", "derive", "train", "study"))
            elif key == "rare":
                val = self.rare[rng.randrange(len(self.rare))]
            elif key == "n":
                val = str(rng.randint(2, 40))
            elif key == "pct":
                val = f"{rng.randint(1, 40)}.{rng.randint(0, 9)}"
            elif key == "ver":
                val = rng.choice(VERSIONS)
            else:
                val = key
            out = out[:i] + val + out[j + 1 :]
        return out

    def abstract(self, title: str) -> str:
        rng = self.rng
        title_nouns = [w for w in title.replace(":", "").replace("?", "").split() if w in NOUNS]
        model = next((w.rstrip(":") for w in title.split() if w.rstrip(":") in self.models), self._model_name())
        target = rng.randint(120, 250)
        parts = [self._fill(rng.choice(OPENINGS), title_nouns, model)]
        n = len(parts[0].split())
        while n < target:
            s = self._fill(rng.choice(SENTENCES), title_nouns, model)
            parts.append(s)
            n += len(s.split())
        return " ".join(parts)

    # ---------------------------------------------------------------- paper
    def paper(self) -> Paper:
        rng = self.rng
        title = self.title()
        shown = rng.choice((1, 2, 3, 3, 3))
        authors = self._authors(shown, 0.03)
        et_al = rng.random() < 0.7
        n_orgs = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
        orgs = rng.sample(ORGS, n_orgs)
        return self._dated_paper(title, authors, et_al, orgs)

    def _authors(self, shown: int, team_share: float) -> list[str]:
        """``shown`` different authors, a team first in ``team_share`` of the papers."""
        authors: list[str] = []
        if self.rng.random() < team_share:
            authors.append(self.rng.choice(TEAMS))
        while len(authors) < shown:
            a = self._author()
            if a not in authors:
                authors.append(a)
        return authors

    def _dated_paper(self, title: str, authors: list[str], et_al: bool, orgs: list[str]) -> Paper:
        """The paper, with a date and a category drawn now, and its abstract."""
        rng = self.rng
        year = rng.randint(2010, 2026)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        code = rng.choices(self.codes, weights=self.code_weights)[0]
        return Paper(
            header=f"{code}{MONTHS[month - 1]} {day}, {year}",
            title=title,
            authors=authors,
            et_al=et_al,
            orgs=orgs,
            date=f"{year:04d}-{month:02d}-{day:02d}",
            category=code_to_category(code),
            abstract=self.abstract(title),
        )

    def user_data(self, p: Paper) -> None:
        """Tags on a third of the papers (Zipf-distributed), notes on a few."""
        rng = self.rng
        if rng.random() < 1 / 3:
            k = rng.choice((1, 1, 1, 2, 2, 3, 4))
            p.tags = sorted({self.tags[self._skewed_index(len(self.tags), 3.0)] for _ in range(k)})
        if rng.random() < 0.05:
            p.note = self._fill("Read {w} {w} section; compare with {model}. Key idea: {w} {w} {rare}.", [], self._model_name())

    def papers(self, n: int) -> Iterator[Paper]:
        for _ in range(n):
            p = self.paper()
            self.user_data(p)
            yield p


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``2500`` -> 2500."""
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    return int(float(t) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass
class Dataset:
    """Paths of one generated size."""

    n: int
    dir: Path
    listings: list[Path]
    truths: list[Path]
    userdata: list[Path]


def dataset_paths(n: int, out: Path) -> Dataset:
    d = out / f"n{size_label(n)}"
    k = (n + PER_FILE - 1) // PER_FILE
    return Dataset(
        n=n,
        dir=d,
        listings=[d / f"listing-{i:03d}.txt" for i in range(k)],
        truths=[d / f"truth-{i:03d}.jsonl" for i in range(k)],
        userdata=[d / f"tags-notes-{i:03d}.json" for i in range(k)],
    )


def generate(n: int, out: Path, seed: int = DEFAULT_SEED, force: bool = False) -> Dataset:
    """Write listings, truth and tag/note JSON for ``n`` papers (skipped if present)."""
    return write(dataset_paths(n, out), Generator(seed), n, f"{n} {seed} v2", force)


def write(ds: Dataset, gen: Generator, n: int, stamp_text: str, force: bool = False) -> Dataset:
    """``n`` papers of ``gen`` (its ``papers(k)``) into ``ds``'s files, unless its ``DONE`` stamp
    already says ``stamp_text`` (the same papers were written before).  Both generators' writer."""
    stamp = ds.dir / "DONE"
    if not force and stamp.exists() and stamp.read_text() == stamp_text:
        log.info("%s already generated", ds.dir)
        return ds
    ds.dir.mkdir(parents=True, exist_ok=True)
    left = n
    for listing, truth, user in zip(ds.listings, ds.truths, ds.userdata):
        k = min(PER_FILE, left)
        left -= k
        user_rows = []
        with listing.open("w", encoding="utf-8", newline="\n") as fl, truth.open("w", encoding="utf-8") as ft:
            for p in gen.papers(k):
                fl.write(p.listing())
                ft.write(json.dumps(p.truth(), ensure_ascii=False) + "\n")
                if p.tags or p.note:
                    row: dict[str, object] = {"title": p.title, "tags": p.tags}
                    if p.note:
                        row["note"] = p.note
                    user_rows.append(row)
        with user.open("w", encoding="utf-8") as fu:
            json.dump(user_rows, fu, ensure_ascii=False, indent=0)
        log.info("wrote %s (%d papers)", listing, k)
    stamp.write_text(stamp_text)
    return ds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k", help="comma-separated sizes, e.g. 10k,100k,1M")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "data")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true", help="regenerate even if present")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for s in args.sizes.split(","):
        ds = generate(parse_size(s), args.out, args.seed, args.force)
        print(ds.dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
