"""Writes the Chinese/Japanese/Korean retrieval set: data/cjk_notes.jsonl and data/cjk_questions.jsonl.

Run: python -m bench.make_cjk_set [--seed 11]

Story notes (readable keys such as `zh-cat`) hold the facts the questions ask about; routine notes
(`zNNN`, `jNNN`, `kNNN`) fill each language's three months with everyday text that shares their
vocabulary. Questions are asked as a person would: some reuse the note's words, some paraphrase
(工资 for 月薪, 転勤 for 異動, 컴퓨터 for 노트북), some name a period.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
NOW = "2024-06-01T09:00"

# key, date, text
STORIES = [
    ("zh-cat", "2024-03-02T20:10", "我养了一只猫，叫咪咪，是从朋友那里领养的橘猫。"),
    ("zh-hotpot", "2024-03-15T21:00", "和小红在成都吃了正宗的四川火锅，辣得受不了。"),
    ("zh-job", "2024-03-20T18:30", "今天收到了新公司的录用通知，下个月开始上班，职位是产品经理。"),
    ("zh-salary", "2024-03-21T09:15", "新工作的月薪是两万五，比现在高了百分之三十。"),
    ("zh-move", "2024-04-02T19:00", "周末搬家到了浦东，新房子离地铁站只有五分钟。"),
    ("zh-mom", "2024-04-05T12:00", "妈妈生日，给她买了一条丝巾，她很喜欢。"),
    ("zh-vet", "2024-04-10T17:40", "带咪咪去宠物医院打了疫苗，花了三百块。"),
    ("zh-book", "2024-04-12T23:00", "读完了《三体》，黑暗森林那部分最精彩。"),
    ("zh-doctor", "2024-04-18T11:20", "最近总是头疼，医生说是睡眠不足，让我早点睡。"),
    ("zh-marathon", "2024-04-21T13:00", "参加了半程马拉松，用时一小时五十二分。"),
    ("zh-piano", "2024-04-25T20:00", "开始学钢琴了，每周六上午上课，老师姓王。"),
    ("zh-flight", "2024-05-03T22:10", "订了五月二十号去东京的机票，东方航空，四千二。"),
    ("zh-allergy", "2024-05-06T14:00", "发现自己对芒果过敏，吃完嘴巴肿了。"),
    ("zh-car", "2024-05-09T16:30", "车子保养花了八百，师傅说刹车片下次要换。"),
    ("zh-wedding", "2024-05-12T21:00", "老同学李明结婚了，婚礼在杭州西湖边。"),
    ("zh-tomato", "2024-05-15T08:00", "阳台上的番茄终于结果了，一共七个。"),
    ("zh-laptop", "2024-05-18T10:00", "笔记本电脑坏了，屏幕不亮，送去维修要一周。"),
    ("zh-duck", "2024-05-22T21:30", "请同事们吃了烤鸭，全聚德，一共花了一千二。"),
    ("ja-ramen", "2024-03-05T13:00", "東京の新宿で美味しい味噌ラーメンを食べた。"),
    ("ja-dog", "2024-03-12T18:00", "犬のポチを動物病院に連れて行った。前足を怪我していた。"),
    ("ja-exam", "2024-03-25T19:00", "日本語能力試験N2に合格した！"),
    ("ja-sister", "2024-03-30T21:00", "妹が結婚することになった。相手は大学の先輩だ。"),
    ("ja-kyoto", "2024-04-03T16:00", "京都で桜を見た。清水寺がとても綺麗だった。"),
    ("ja-sushi", "2024-04-08T20:00", "回転寿司で十二皿も食べてしまった。"),
    ("ja-transfer", "2024-04-15T18:30", "部長に来月から大阪支社に異動だと言われた。"),
    ("ja-umbrella", "2024-04-19T09:00", "電車に傘を忘れた。青い折りたたみ傘。"),
    ("ja-cold", "2024-04-28T22:00", "風邪をひいて熱が三十八度まで上がった。"),
    ("ja-mothersday", "2024-05-02T12:00", "母の日にカーネーションを贈った。"),
    ("ja-guitar", "2024-05-10T15:00", "中古のギターを三万円で買った。"),
    ("ja-onsen", "2024-05-17T21:00", "箱根の温泉旅館に一泊した。露天風呂が最高だった。"),
    ("ja-phone", "2024-05-24T10:00", "スマホの画面が割れたので修理に出した。"),
    ("ko-book", "2024-03-03T22:00", "나는 어제 책을 읽었다. 제목은 '채식주의자'였다."),
    ("ko-cafe", "2024-03-09T10:30", "회사 근처에 새로 생긴 카페에서 라떼를 마셨다."),
    ("ko-gym", "2024-03-14T19:00", "헬스장에 등록했다. 한 달에 육만 원이다."),
    ("ko-busan", "2024-03-28T20:00", "부산 해운대에 가서 회를 먹었다."),
    ("ko-dentist", "2024-04-06T11:00", "치과에서 사랑니를 뽑았다. 너무 아팠다."),
    ("ko-kimjang", "2024-04-13T17:00", "할머니와 김장을 했다. 배추 스무 포기."),
    ("ko-promotion", "2024-04-22T18:00", "회사에서 팀장으로 승진했다!"),
    ("ko-bike", "2024-04-27T16:00", "한강에서 자전거를 타고 이십 킬로미터를 달렸다."),
    ("ko-concert", "2024-05-04T21:00", "아이유 콘서트 티켓을 샀다. 좌석은 2층."),
    ("ko-rain", "2024-05-08T19:00", "우산이 없어서 비를 다 맞았다."),
    ("ko-laptop", "2024-05-14T20:00", "새 노트북을 샀다. 맥북 에어."),
    ("ko-friend", "2024-05-19T22:00", "친구 민수가 캐나다로 이민을 간다고 했다."),
    ("ko-stew", "2024-05-26T19:30", "처음으로 된장찌개를 끓였는데 너무 짰다."),
]

# id, category, question, evidence keys, now (default NOW)
QUESTIONS = [
    ("c01", "single_fact", "我的猫叫什么名字？", ["zh-cat"]),
    ("c02", "single_fact", "给猫打疫苗花了多少钱？", ["zh-vet"]),
    ("c03", "single_fact", "我在成都吃了什么？", ["zh-hotpot"]),
    ("c04", "single_fact", "我的新工作是什么职位？", ["zh-job"]),
    ("c05", "paraphrase", "新公司给我开了多少工资？", ["zh-salary"]),
    ("c06", "single_fact", "我搬到哪里住了？", ["zh-move"]),
    ("c07", "single_fact", "我送了妈妈什么生日礼物？", ["zh-mom"]),
    ("c08", "paraphrase", "最近读完的小说是哪一本？", ["zh-book"]),
    ("c09", "paraphrase", "医生对我的头痛怎么说？", ["zh-doctor"]),
    ("c10", "paraphrase", "半马跑了多长时间？", ["zh-marathon"]),
    ("c11", "single_fact", "钢琴老师姓什么？", ["zh-piano"]),
    ("c12", "paraphrase", "去日本的机票是哪家航空公司？", ["zh-flight"]),
    ("c13", "single_fact", "我对什么水果过敏？", ["zh-allergy"]),
    ("c14", "single_fact", "修车师傅提醒我下次换什么？", ["zh-car"]),
    ("c15", "single_fact", "李明的婚礼在哪里办的？", ["zh-wedding"]),
    ("c16", "single_fact", "阳台种的番茄结了几个？", ["zh-tomato"]),
    ("c17", "single_fact", "电脑出了什么问题？", ["zh-laptop"]),
    ("c18", "paraphrase", "请同事吃饭花了多少？", ["zh-duck"]),
    ("c19", "time_bounded", "上个月我带咪咪去了哪里？", ["zh-vet"], "2024-05-05T09:00"),
    ("c20", "time_bounded", "三月份工作上有什么好消息？", ["zh-job", "zh-salary"]),
    ("c21", "single_fact", "新宿で何を食べた？", ["ja-ramen"]),
    ("c22", "single_fact", "ポチはどこを怪我した？", ["ja-dog"]),
    ("c23", "paraphrase", "どの試験に受かった？", ["ja-exam"]),
    ("c24", "single_fact", "妹の結婚相手は誰？", ["ja-sister"]),
    ("c25", "paraphrase", "京都でお花見したお寺は？", ["ja-kyoto"]),
    ("c26", "single_fact", "回転寿司で何皿食べた？", ["ja-sushi"]),
    ("c27", "paraphrase", "どこに転勤になる？", ["ja-transfer"]),
    ("c28", "single_fact", "電車に何を忘れた？", ["ja-umbrella"]),
    ("c29", "time_bounded", "先月風邪をひいた時、熱は何度だった？", ["ja-cold"], "2024-05-05T09:00"),
    ("c30", "paraphrase", "母の日に何をあげた？", ["ja-mothersday"]),
    ("c31", "single_fact", "ギターはいくらだった？", ["ja-guitar"]),
    ("c32", "single_fact", "温泉はどこに行った？", ["ja-onsen"]),
    ("c33", "paraphrase", "携帯が壊れた時どうした？", ["ja-phone"]),
    ("c34", "single_fact", "읽은 책 제목이 뭐야?", ["ko-book"]),
    ("c35", "single_fact", "새 카페에서 뭘 마셨어?", ["ko-cafe"]),
    ("c36", "single_fact", "헬스장 한 달 비용은 얼마야?", ["ko-gym"]),
    ("c37", "single_fact", "해운대에서 뭐 먹었지?", ["ko-busan"]),
    ("c38", "time_bounded", "지난달에 치과에서 뭐 했어?", ["ko-dentist"], "2024-05-05T09:00"),
    ("c39", "paraphrase", "김치를 누구랑 담갔어?", ["ko-kimjang"]),
    ("c40", "paraphrase", "회사에서 어떤 직책으로 올라갔어?", ["ko-promotion"]),
    ("c41", "single_fact", "자전거로 얼마나 달렸어?", ["ko-bike"]),
    ("c42", "single_fact", "누구 콘서트 표를 샀어?", ["ko-concert"]),
    ("c43", "paraphrase", "어떤 컴퓨터를 샀어?", ["ko-laptop"]),
    ("c44", "single_fact", "민수는 어느 나라로 가?", ["ko-friend"]),
    ("c45", "single_fact", "된장찌개 맛이 어땠어?", ["ko-stew"]),
    ("c46", "time_bounded", "3월에 어디 여행 갔어?", ["ko-busan"]),
]

# Everyday text per language, drawn from the same words the stories use.
ROUTINE = {
    "z": ["今天{w}，{x}。", "早上{w}，晚上{x}。", "{w}。另外{x}。"],
    "j": ["今日は{w}。{x}。", "朝は{w}、夜は{x}。", "{w}。それから{x}。"],
    "k": ["오늘은 {w}. {x}.", "아침에 {w}, 저녁에 {x}.", "{w}. 그리고 {x}."],
}
PHRASES = {
    "z": ["公司开了一上午的会", "天气很好", "下雨了，地铁很挤", "午饭吃了面条", "和同事讨论新项目",
          "去超市买了水果", "晚上看了一部电影", "加班到九点", "给朋友打了电话", "打扫了房间",
          "医院排队很久", "电脑更新了系统", "喝了两杯咖啡", "去公园散步", "妈妈打电话问近况",
          "在网上买了书", "猫粮快吃完了", "跑步五公里", "睡得不太好", "做了番茄炒蛋"],
    "j": ["会社で会議が長かった", "天気が良かった", "雨で電車が混んでいた", "昼ご飯はうどんだった",
          "同僚と新しい企画の話をした", "スーパーで野菜を買った", "夜に映画を見た", "九時まで残業した",
          "友達に電話した", "部屋を掃除した", "病院で長く待った", "パソコンを更新した", "コーヒーを二杯飲んだ",
          "公園を散歩した", "母から電話があった", "本を注文した", "犬の散歩をした", "五キロ走った",
          "よく眠れなかった", "カレーを作った"],
    "k": ["회사에서 회의가 길었다", "날씨가 좋았다", "비가 와서 지하철이 붐볐다", "점심은 국수였다",
          "동료와 새 프로젝트 이야기를 했다", "마트에서 과일을 샀다", "밤에 영화를 봤다", "아홉 시까지 야근했다",
          "친구에게 전화했다", "방을 청소했다", "병원에서 오래 기다렸다", "컴퓨터를 업데이트했다",
          "커피를 두 잔 마셨다", "공원을 산책했다", "엄마가 전화하셨다", "책을 주문했다", "카페에서 일했다",
          "오 킬로미터를 뛰었다", "잠을 잘 못 잤다", "김치볶음밥을 만들었다"],
}
START, DAYS, ROUTINE_PER_LANGUAGE = datetime(2024, 3, 1), 92, 80


def routine_notes(rng: random.Random) -> list[dict]:
    """Everyday notes in each language, spread over the three months."""
    notes = []
    for lang, templates in ROUTINE.items():
        for i in range(ROUTINE_PER_LANGUAGE):
            w, x = rng.sample(PHRASES[lang], 2)
            moment = START + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(7 * 60, 23 * 60))
            notes.append({"key": f"{lang}{i:03d}", "created_at": moment.isoformat(timespec="minutes"),
                          "title": "", "summary": None, "content": rng.choice(templates).format(w=w, x=x)})
    return notes


def build(seed: int) -> tuple[list[dict], list[dict]]:
    """(notes sorted by date, questions)."""
    rng = random.Random(seed)
    notes = [{"key": k, "created_at": d, "title": "", "summary": None, "content": t} for k, d, t in STORIES]
    notes = sorted(notes + routine_notes(rng), key=lambda n: (n["created_at"], n["key"]))
    questions = [{"id": q[0], "category": q[1], "question": q[2], "evidence": q[3],
                  "now": q[4] if len(q) > 4 else NOW} for q in QUESTIONS]
    return notes, questions


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object per line, UTF-8."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main(args: argparse.Namespace) -> int:
    """Write both files and print their counts."""
    notes, questions = build(args.seed)
    keys = {n["key"] for n in notes}
    assert all(set(q["evidence"]) <= keys for q in questions)
    write_jsonl(DATA / "cjk_notes.jsonl", notes)
    write_jsonl(DATA / "cjk_questions.jsonl", questions)
    print(f"{len(notes)} notes, {len(questions)} questions")
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=11)
    sys.exit(main(p.parse_args()))
