#!/usr/bin/env python3
"""Generate the bundled demo review data for ``alignment``.

This script writes ``data/demo_reviews.csv`` (next to ``data/demo_ads.txt``)
for the fictional mobile network **Brightwave Mobile**.  It uses only the
Python standard library and a fixed ``random.Random(SEED)``; it never reads
the wall clock, so running it twice gives byte-identical output::

    python scripts/make_demo_data.py            # writes data/demo_reviews.csv
    python scripts/make_demo_data.py --out x.csv

Columns: ``review_id,date,rating,channel,region,plan,text``.

Each review is composed from a large pool of hand-written sentences per topic
and polarity (plus neutral, off-topic sentences), with small variations
(towns, amounts, durations, phone models), occasional lowercase, typos and
missing punctuation.  Ratings follow the sentiment of the text, with a little
realistic noise (people do give 5 stars to a complaint now and then).

The story a brand manager should find when checking the ads in
``data/demo_ads.txt`` against these reviews:

a) "Fewer dropped calls than any other network" HOLDS in the North, East and
   West regions (mostly praise for call reliability; South is a bit weaker),
   but BREAKS in the Coastal region: mostly dropped-call complaints, and much
   worse from July 2025 onward, after a (fictional) tower upgrade there.
b) "No hidden fees" holds at first but BREAKS from September 2025, when
   customers in every region start complaining about a new "network access
   fee" and other surprise charges.  These complaints are most visible on the
   "Support ticket" and "Trustpilot" channels.
c) "Real people ... 24/7" is MIXED: praised on "Store survey" and "Social
   media" (friendly, helpful people), contradicted by night-time complaints
   elsewhere ("got a chatbot at 2am", "nobody answered after 10pm").
d) "Fast 5G data speeds", "easy switching / set up in minutes" and rural
   coverage are mostly SUPPORTED.  The "30-day money-back guarantee" is
   mentioned only rarely and with mixed sentiment, so a careful tool should
   report insufficient evidence for it.

None of the above is 100%: roughly 15-25% of the mentions go the other way.
The file also holds a few deliberate exact duplicates (a review submitted
twice) and three rows with blank text, so the tool's "skipped rows" reporting
has something to show.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import os
import random
import re

SEED = 20250101
N_REVIEWS = 780          # base reviews, before duplicates / blank rows
N_DUPLICATES = 5
N_BLANK = 3

START = _dt.date(2025, 1, 1)
END = _dt.date(2026, 3, 31)
COASTAL_UPGRADE = _dt.date(2025, 7, 1)   # tower "upgrade" in the Coastal region
FEE_INTRODUCED = _dt.date(2025, 9, 1)    # "network access fee" appears on bills

COLUMNS = ["review_id", "date", "rating", "channel", "region", "plan", "text"]

CHANNELS = ["App Store", "Google Play", "Trustpilot", "Support ticket",
            "Social media", "Store survey"]
CHANNEL_WEIGHTS = [16, 16, 18, 18, 16, 16]
REGIONS = ["North", "South", "East", "West", "Coastal"]
REGION_WEIGHTS = [22, 17, 20, 20, 21]
PLANS = ["Prepaid", "Unlimited", "Family", "Business"]
PLAN_WEIGHTS = [25, 35, 25, 15]

TOWNS = {
    "North": ["Ashby", "Millbrook", "Kingsford", "Harlow", "Northfield"],
    "South": ["Oakvale", "Dunmore", "Pinecrest", "Redmond Falls", "Southport"],
    "East": ["Eastgate", "Marlow", "Bridgeford", "Halstead", "Fenwick"],
    "West": ["Westbury", "Cedar Ridge", "Stonehill", "Larkspur", "Elmwood"],
    "Coastal": ["Port Ellis", "Saltmarsh", "Bayview", "Gull Harbor", "Seacliff"],
}
OLD_CARRIERS = ["my old carrier", "my old provider", "Telvio", "Kestrel Mobile",
                "NorthStar Wireless", "Zentel", "my last network"]
PHONES = ["iPhone 15", "iPhone 13", "iPhone 16 Pro", "Pixel 8", "Pixel 9",
          "Galaxy S24", "Galaxy A54", "Moto G", "OnePlus 12", "iPhone SE"]
NIGHT_TIMES = ["2am", "11pm", "1am", "3am", "midnight", "10:30pm", "11:45pm",
               "2:30am", "4am", "1:15am"]
NAMES = ["Jess", "Marco", "Priya", "Dan", "Aisha", "Tom", "Keisha", "Luis",
         "Megan", "Sam", "Olu", "Hannah"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]

# ---------------------------------------------------------------------------
# Sentence pools.  Placeholders are filled by ``_fill``.
# ---------------------------------------------------------------------------

TOPICS = ["calls", "fees", "support", "speed", "coverage", "switching", "refund"]

POS = {}
NEG = {}

POS["calls"] = [
    "Haven't had a single dropped call since switching.",
    "Calls are crystal clear, even on the highway out of {city}.",
    "Way fewer dropped calls than with {old}.",
    "I make a lot of work calls and they just don't drop anymore.",
    "Call quality is solid, no more 'can you hear me now' moments.",
    "Talked to my mom for an hour on the train and the call never cut out.",
    "Zero dropped calls in {months} months.",
    "My calls actually connect now, which sounds basic but {old} couldn't manage it.",
    "Reception for calls in my apartment is great, never drops.",
    "Conference calls from my car are finally reliable.",
    "Not one call dropped on my commute through {city} this week.",
    "Call reliability has been rock solid.",
    "I used to lose every other call in the elevator at work, not anymore.",
    "Voice quality is excellent and calls stay connected.",
    "Honestly can't remember the last time a call dropped.",
    "Calls are way more stable than on my old carrier.",
    "Even in the basement parking garage my calls hold up.",
    "My husband and I both noticed the calls don't cut out like they used to.",
    "Wifi calling hands over to the network without dropping, love it.",
    "Did a 2 hour client call on my {phone} with no drops at all.",
    "Calls in {city} are perfect.",
    "Dropped calls used to drive me crazy, this fixed it.",
    "Clear calls, no static, no drops.",
    "My grandma can finally hear me on the phone without it cutting out!",
    "I run a small business from my phone and the calls have been super reliable.",
    "Did a job interview over the phone from the bus and it didn't drop once.",
    "no dropped calls so far, knock on wood.",
    "Not a single call has dropped on me in {city}, and I'm on the phone all day.",
]
NEG["calls"] = [
    "Great, another dropped call.",
    "My calls drop at least {n} times a day.",
    "Calls keep cutting out mid sentence.",
    "Dropped three calls with my doctor's office this morning.",
    "Every call in {city} drops after a couple of minutes.",
    "Can't finish a single phone call without it dropping.",
    "Call quality is terrible, robotic voice and then it just drops.",
    "I had to call my boss back {n} times because the call kept dropping.",
    "Dropped calls constantly, worse than {old}.",
    "Calls fail to connect half the time, just silence then 'call failed'.",
    "Fewer dropped calls? Not where I live.",
    "My call dropped twice while I was trying to book an appointment.",
    "Calls drop as soon as I walk into my kitchen.",
    "The other person can't hear me and then the call just ends.",
    "I've started using WhatsApp for calls because regular calls keep dropping.",
    "Lost a call with a client at the worst possible moment.",
    "Calls cut out every time I drive past the {city} exit.",
    "Call drops are a daily thing now.",
    "It says full bars but the call still drops.",
    "so many dropped calls, this is ridiculous",
    "My mother thinks I'm hanging up on her, it's the network dropping the calls.",
    "I genuinely worry about emergencies with how often my calls drop.",
    "Wonderful, dropped call number {n} today.",
    "Calls drop whenever I'm on the move.",
    "I can't do work calls from home anymore, they keep dropping.",
    "Calls in {city} are a coin flip, half of them drop.",
]
# Only used for Coastal reviews after the July 2025 tower upgrade.
COASTAL_CALLS_NEG = [
    "Ever since the tower upgrade in {city} my calls drop constantly.",
    "Calls were fine until the summer, now they drop every few minutes in {city}.",
    "Whatever they did to the towers near {city} in July broke calling.",
    "Since the 'network upgrade' out here on the coast, calls drop all the time.",
    "Calls on the boardwalk in {city} drop within a minute.",
    "Down by the harbor in {city} I can't hold a call since the upgrade.",
    "Used to be reliable here on the coast, since July it's dropped call after dropped call.",
    "The upgrade made things worse, my calls in {city} drop every single day.",
    "Great, another dropped call. Thanks for the 'upgrade' in {city}.",
    "Everyone I know in {city} has had dropped calls since the towers were redone.",
]

POS["fees"] = [
    "No hidden fees, the bill is exactly what they quoted.",
    "My bill is the same every month, ${base} flat.",
    "Love that the price I signed up for is the price I pay.",
    "Bill was exactly what the rep told me in store.",
    "No surprise charges, first carrier I can say that about.",
    "Finally a phone bill I can actually read.",
    "Taxes were included in the price like they said.",
    "No activation fee, no weird add-ons.",
    "Paid ${base} this month, same as last month, same as the month before.",
    "Billing is transparent, every line item makes sense.",
    "Way cheaper than {old} and no surprise fees.",
    "Autopay discount showed up on the first bill as promised.",
    "I checked every line on my bill and there were no hidden fees.",
    "Price has not gone up since I joined.",
    "The bill matches the quote to the penny.",
    "Straightforward pricing, no nonsense.",
    "My family plan costs what they said it would.",
    "Didn't get charged for the SIM card like I did with {old}.",
    "Clear billing, nothing sneaky.",
    "Appreciate that they don't nickel and dime you.",
    "Roaming charges were explained up front and were reasonable.",
    "No overage fees even when I went over my data.",
    "Been {months} months and the bill hasn't changed once.",
    "Honest pricing, that's rare.",
    "I was braced for hidden fees and there weren't any!",
    "The app shows the full breakdown of my bill, no mystery charges.",
]
NEG_FEES_GENERAL = [
    "Bill was ${amt} more than the quote.",
    "Got charged a ${amt} activation fee nobody mentioned.",
    "There's a line on my bill I can't explain.",
    "They charged me for a SIM card I never asked for.",
    "My first bill was way higher than what the salesperson said.",
    "Charged twice for the same month.",
    "A paper bill 'fee'? Seriously?",
    "Got hit with a late fee even though autopay was on.",
    "The promo price disappeared after one month, nobody told me.",
    "Somehow my ${base} plan costs ${total} once everything is added.",
    "They added an insurance charge I never signed up for.",
    "So much for no hidden fees.",
]
# Only used from September 2025, when the "network access fee" appears.
NEG_FEES_ACCESS = [
    "There's a new 'network access fee' on my bill that nobody told me about.",
    "Since September my bill has a {perline} network access fee on every line.",
    "What is this network access fee?? It was never in the contract.",
    "No hidden fees, they said. Then the network access fee showed up.",
    "The network access fee added ${amt} to my bill without any notice.",
    "Called about the surprise charge and they said the network access fee applies to everyone now.",
    "My bill went up ${amt} because of a 'network access fee'.",
    "No hidden fees my foot, there's a network access fee on all {n} of our lines.",
    "Just noticed a network access fee on my last few bills.",
    "The network access fee is a price increase with a different name.",
    "They slipped a new fee onto the bill and called it network access.",
    "I'm paying ${amt} extra a month for 'network access', which I thought was the whole point of a phone plan.",
    "Bill jumped from ${base} to ${total} this month, all because of new fees.",
    "Nobody mentioned any network access fee when I signed up in the spring.",
    "Surprise charges on the bill again, this time a 'network access fee'.",
    "Bill was ${amt} more than last month and the only change is the network access fee.",
    "Wonderful, a brand new fee on my bill, thanks Brightwave.",
    "Each of our business lines got a network access fee tacked on.",
    "Had to open a ticket to dispute the network access fee.",
    "The ad says no hidden fees but my statement says network access fee {perline}.",
    "Where did this extra charge come from? 'Network access fee', never heard of it.",
    "bill was ${amt} more than the quote, some access fee thing",
]
NEG["fees"] = NEG_FEES_GENERAL + NEG_FEES_ACCESS

POS["support"] = [
    "Got a real person on the phone in under {short} minutes.",
    "Called support at {night} and a real human picked up!",
    "The staff at the {city} store were super friendly and sorted my phone out.",
    "Support agent {name} was amazing, fixed my issue in one call.",
    "Customer service actually cares, which is rare.",
    "Whoever was on the chat last night was so patient with me.",
    "The lady in the store walked me through everything.",
    "No bots, just a nice guy who knew what he was doing.",
    "Support called me back the next day like they promised.",
    "Every time I've needed help someone real has answered.",
    "Friendly, helpful staff at the store.",
    "Support is 10/10, they fixed my voicemail in minutes.",
    "Messaged them on Twitter and got a helpful reply within the hour.",
    "The rep didn't try to upsell me, just solved the problem.",
    "Best customer service I've had from a phone company.",
    "The agent stayed on the line until my number transfer went through.",
    "Called at midnight about a lost phone and a real person helped me block it.",
    "Quick answers, friendly people.",
    "Support is way better than {old}, where you could never reach anyone.",
    "The store manager in {city} went above and beyond.",
    "{name} on the support line was patient with my dad who is not techy at all.",
    "I was expecting a robot and got a real person, pleasantly surprised.",
    "Short wait, knowledgeable agent, problem solved.",
    "They replied to my DM on a Sunday morning, impressive.",
    "The team at the store set up my kids' phones and were lovely about it.",
    "Shoutout to {name} in support, absolute legend.",
]
NEG_SUPPORT_GENERAL = [
    "Waited {hours} hours on hold.",
    "Was transferred {n} times and nobody could help.",
    "Support kept reading from a script and didn't listen.",
    "They promised a callback that never happened.",
    "I've opened {n} tickets about the same problem.",
    "Store staff had no idea how to fix my issue and told me to call support.",
    "On hold for {minutes} minutes just to be told to restart my phone.",
    "Each agent tells me something different.",
    "Nobody ever follows up on tickets.",
    "Support closed my ticket without fixing anything.",
]
NEG_SUPPORT_NIGHT = [
    "Got a chatbot at {night}, no real person anywhere.",
    "Nobody answered after 10pm, so much for 24/7.",
    "Tried calling at {night} and it just rang and rang.",
    "'Real people 24/7' - at {night} it's a bot that loops you back to the menu.",
    "The chat bot kept sending me FAQ links when my phone stopped working at night.",
    "After hours the only option is a bot that can't do anything.",
    "Phone went dead on a Saturday night and there was nobody to talk to until Monday.",
    "The 24/7 line says 'our agents are busy' and hangs up.",
    "Spent an hour with the virtual assistant at {night} and never reached a human.",
    "The bot asked me to rate my experience before it even helped me.",
    "Late at night the support line just puts you on endless hold.",
    "Needed help with a lost phone at {night}, got a recording telling me to call during business hours.",
    "Typed 'agent' into the chat {n} times, still a bot.",
    "Their 'live chat' at night is clearly just a bot.",
    "Called support at {night} after my SIM stopped working, on hold until I gave up.",
    "24/7 support apparently means 9 to 9.",
]
NEG["support"] = NEG_SUPPORT_GENERAL + NEG_SUPPORT_NIGHT

POS["speed"] = [
    "5G speeds are insane, getting {mbps} Mbps downtown.",
    "Data is fast, videos load instantly.",
    "Downloaded a whole season of a show in a few minutes on 5G.",
    "Speed test showed {mbps} down, faster than my home internet.",
    "Hotspot is fast enough to work from the car.",
    "Streaming in HD on the train with no buffering.",
    "The 5G here is blazing fast.",
    "Way faster data than {old}.",
    "Uploads are quick too, I post videos straight from the stadium.",
    "Maps and music load instantly.",
    "Video calls on data are smooth.",
    "Even at a concert with thousands of people my data was fast.",
    "Games run with barely any lag on 5G.",
    "Apps update in seconds now.",
    "Fast data and they don't throttle me like {old} did.",
    "My {phone} finally gets real 5G speeds.",
    "Data speeds are excellent in {city}.",
    "Got {mbps} Mbps at the airport, unreal.",
    "Never see the loading wheel anymore.",
    "Tethered my laptop for a whole work day, fast and stable.",
    "Fast, fast, fast. That's all I wanted.",
    "Instagram stories load before I can even blink.",
    "Speed is consistently good, morning or night.",
    "The 5G is legit, not the fake 5G icon I had before.",
    "Netflix in full HD on my lunch break, zero buffering.",
]
NEG["speed"] = [
    "Data crawls in the evenings.",
    "5G icon shows but the speed test says {slow} Mbps.",
    "Pages take forever to load.",
    "Videos buffer constantly on data.",
    "Fast 5G? I get slower speeds than I did on 4G.",
    "Data just stops working for minutes at a time.",
    "Hotspot is useless, way too slow.",
    "Speeds drop to nothing at the stadium.",
    "Feels like they throttle me after a few gigs even though I'm on unlimited.",
    "Maps wouldn't load when I needed directions in {city}.",
    "Uploads fail all the time.",
    "My {phone} shows 5G but everything loads like it's 2010.",
    "Speed test: {slow} down. Yeah.",
    "Data is slower than it was when I joined.",
    "Can't stream music on my commute without it cutting out.",
    "So much for blazing fast 5G.",
    "Video calls freeze on data.",
    "Downloading a 50MB app took ten minutes.",
    "Data is painfully slow in {city}.",
    "The internet on my phone is slower than my grandma's dial-up.",
    "Slow data all weekend.",
    "Spotify keeps buffering on 5G.",
    "Speeds are fine at home but terrible everywhere else.",
    "5G keeps dropping back to LTE and then to nothing.",
    "Downloading anything is a nightmare.",
]

POS["coverage"] = [
    "Coverage is great, even at my parents' farm.",
    "Had signal the whole drive through the hills to {city}.",
    "Even out in the countryside I have full bars.",
    "I get signal in my basement now!",
    "Went camping and still had coverage, which blew my mind.",
    "Coverage everywhere I go, city or country.",
    "Rural coverage is way better than {old}.",
    "Signal inside my office building is strong.",
    "Took a road trip across the state and never lost service.",
    "Finally have signal at my cabin.",
    "Bars everywhere, even on the back roads.",
    "Coverage on the train line is solid the whole way.",
    "My in-laws live way out in the sticks and I still had service.",
    "Good signal in every room of the house.",
    "Great coverage on the hiking trails outside {city}.",
    "No dead zones on my commute anymore.",
    "Even in the elevator I keep signal.",
    "Out on the farm we finally have reliable service.",
    "Used it on vacation up in the mountains, coverage was fine everywhere.",
    "The coverage map is actually accurate for once.",
    "Signal in the small towns is better than I expected.",
    "Had service at the lake where nobody else did.",
    "The rural coverage is the reason I switched and it delivers.",
    "From downtown {city} to the middle of nowhere, never lost signal.",
    "Strong indoor coverage, which was my main worry.",
]
NEG["coverage"] = [
    "No signal at all inside my house.",
    "Coverage disappears as soon as you leave {city}.",
    "Rural coverage is a joke, zero bars at my parents' place.",
    "Dead zone on my whole street.",
    "Lost service for most of the drive to {city}.",
    "I have to stand by the window to get one bar.",
    "Coverage map says full coverage, reality says no service.",
    "No service at the campsite.",
    "Signal is gone in any building with thick walls.",
    "Coverage everywhere you go? Not in my town.",
    "I get 'SOS only' at my job site.",
    "Spotty coverage on the highway.",
    "Went to visit family in the country and had no service all weekend.",
    "My office is a dead zone, I miss calls all day.",
    "Signal in the underground parking is zero.",
    "Lose coverage on the train every single time.",
    "Coverage is worse than {old} outside the city.",
    "One bar in my living room, none in the bedroom.",
    "Rural areas? Forget it.",
    "Had to buy a signal booster just to use my phone at home.",
    "No signal on the farm, which is where I live.",
    "Service drops out completely in the hills past {city}.",
    "Coverage on vacation was nonexistent.",
    "Half of my town is a dead zone.",
    "Can't even send a text from my back yard.",
]

POS["switching"] = [
    "Switching took like 10 minutes.",
    "eSIM setup was painless, scanned a QR code and done.",
    "Kept my number, the port took less than an hour.",
    "Setup was super easy, the app walked me through it.",
    "Switched from {old} on my lunch break.",
    "Activated my new {phone} in minutes.",
    "Moved our whole family over in one afternoon, no drama.",
    "The number transfer was instant.",
    "Easiest switch I've ever done.",
    "Ordered the SIM online, it arrived the next day and worked right away.",
    "Was dreading the switch but it was honestly easy.",
    "Porting my business lines was smooth.",
    "The eSIM activated before I even left the store.",
    "Set up everything myself in about {short} minutes.",
    "Transferring my contacts and number was a breeze.",
    "They handled the porting from {old} for me.",
    "Switching was way easier than I expected.",
    "Popped in the SIM, rebooted, and had service.",
    "The setup guide in the app is really clear.",
    "Switched my mom over and she did most of it herself.",
    "Took {short} minutes from opening the box to making a call.",
    "Painless setup, no calls to support needed.",
    "The QR code for the eSIM worked first try.",
    "Ported {n} lines with zero downtime.",
    "Really smooth onboarding.",
]
NEG["switching"] = [
    "Porting my number took {days} days.",
    "eSIM activation failed {n} times.",
    "The QR code for the eSIM kept saying invalid.",
    "Was without service for two days during the switch.",
    "Setup in minutes? Took me all evening.",
    "My number got stuck in the transfer from {old}.",
    "The app crashed in the middle of activation.",
    "SIM card arrived a week late.",
    "Had to go to the store because the online setup didn't work.",
    "They activated the wrong phone number.",
    "Couldn't get my {phone} to recognize the SIM.",
    "Lost all my texts during the switch.",
    "Porting failed and now I have two bills.",
    "The setup instructions were confusing.",
    "Activation took {hours} hours on the phone with support.",
    "Switching was a nightmare.",
    "The eSIM transfer from my old phone just didn't work.",
    "My new line didn't work for {days} days.",
    "Setup kept asking for an account PIN I never set.",
    "Number port was rejected twice for no reason.",
    "The SIM they mailed was for the wrong plan.",
    "Took three store visits to get my line activated.",
    "Setup was anything but easy.",
    "Phone said 'no SIM' for a day after activation.",
    "Half my family got moved over, the other half didn't.",
]

POS["refund"] = [
    "Used the 30-day money-back guarantee and got my refund, no questions asked.",
    "Returned the phone within 30 days and got every cent back.",
    "Refund landed in my account within a week.",
    "The money-back guarantee is real, they refunded me without arguing.",
    "Cancelled within the trial period and they refunded everything.",
    "They honored the 30-day guarantee even though I was on day 29.",
    "Refund was quick and painless.",
    "Got my money back after the first month, easy.",
    "Returned it because of the signal at my house, full refund.",
    "No hassle refund, I appreciate that.",
    "Support processed my refund in one call.",
    "Money back in {days} days as promised.",
    "Full refund including the activation fee.",
    "They refunded the device and the plan, no restocking fee.",
    "Refund showed up on my card faster than I expected.",
    "Tested it for two weeks, asked for a refund, zero pushback.",
    "They stood behind the money-back guarantee.",
    "They even refunded the shipping.",
    "Got a refund for the month when service was bad, didn't even have to ask twice.",
    "Returned my {phone} within the window and got everything back.",
    "Simple refund form, money back in a few days.",
    "The 30 day guarantee works like advertised.",
    "Glad the refund was easy since the service didn't work out for us.",
    "Refund approved same day.",
    "The money-back guarantee made it a no-risk try, and the refund was smooth.",
]
NEG["refund"] = [
    "Still waiting on my refund after {weeks} weeks.",
    "They refused the money-back guarantee because I'd used 'too much data'.",
    "30-day guarantee my foot, they kept a restocking fee.",
    "Refund was denied on day {day}.",
    "They said the guarantee doesn't apply to phones bought online.",
    "Returned everything and only got half my money back.",
    "Refund went to a card I cancelled, now it's lost.",
    "Took {n} calls to get a refund that should have been automatic.",
    "My refund was 'processing' for {weeks} weeks.",
    "They kept the activation fee even though I returned within 30 days.",
    "The money-back guarantee has so many conditions it's useless.",
    "Never got my refund.",
    "Asked for a refund and got offered a discount instead, three times.",
    "The refund form link in the email is broken.",
    "They charged me for a full month after I cancelled in the trial period.",
    "Refund was less than what I paid.",
    "Returned the phone, still got billed for it.",
    "They lost my return package and won't refund me.",
    "No one can tell me where my refund is.",
    "The guarantee only covers the plan, not the phone, buried in the fine print.",
    "Got charged a cancellation fee during the money-back period.",
    "I was promised a refund in store and online support says there's no record.",
    "Refund took two months.",
    "Made me ship the phone back at my own cost and then the refund was late.",
    "Fine print killed the money-back guarantee for me.",
]

OFF_TOPIC = [
    "Ordered the phone on Tuesday.",
    "I use it mostly for work.",
    "Been a customer since {joined}.",
    "I'm on the {plan_lc} plan.",
    "Got the {phone} with the plan.",
    "My daughter recommended them.",
    "The store is next to the supermarket in {city}.",
    "I mostly text and use maps.",
    "We have four lines on our account.",
    "I travel for work a lot.",
    "Bought the phone during the spring sale.",
    "Switched because a friend did.",
    "The app looks nice.",
    "My old contract ended in {month}.",
    "I don't use much data honestly.",
    "I'm a nurse so I work nights.",
    "Mostly use it for WhatsApp and banking.",
    "I drive for a delivery app.",
    "Live in {city}.",
    "We got phones for the kids this year.",
    "The box came with a case, nice touch.",
    "Not very techy, so keep that in mind.",
    "I'm writing this from the bus.",
    "First review I've ever written.",
    "My partner is on a different network.",
    "Work pays for my line.",
    "I'm retired and mostly call my grandkids.",
    "Got the phone in blue.",
    "Picked them because of the ads.",
    "Using it with my {phone}.",
    "Renewed my plan last month.",
    "I have a second line for my tablet.",
    "The store had a long line on Saturday.",
    "I mostly listen to podcasts.",
    "Just moved to {city}.",
    "The packaging was very minimal.",
    "I'm a student.",
    "I run a small bakery and this phone is our order line.",
    "Third phone company in two years.",
    "Will update this review later.",
    "Signed up in {month}.",
    "My brother works in IT and set it up for me.",
    "Overall it's fine I guess.",
]

PREFIXES = ["Honestly, ", "Update: ", "ok so ", "Not gonna lie, ", "So, ",
            "Long time customer here. ", "Quick review: "]

TYPOS = {
    "received": "recieved", "definitely": "definately", "signal": "signl",
    "because": "becuase", "their": "thier", "really": "realy",
    "service": "serivce", "minutes": "mintues", "the": "teh",
    "phone": "phoen", "network": "netwrok", "support": "suport",
    "every": "evrey", "calls": "calsl", "since": "sicne",
    "bill": "bil", "coverage": "coverge", "switching": "swiching",
}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _fill(rng: random.Random, template: str, region: str, plan: str,
          date: _dt.date) -> str:
    base = rng.choice([35, 40, 45, 50, 55, 60, 65, 70, 80, 95, 120])
    amt = rng.choice([4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 22, 25])
    values = {
        "city": rng.choice(TOWNS[region]),
        "old": rng.choice(OLD_CARRIERS),
        "phone": rng.choice(PHONES),
        "night": rng.choice(NIGHT_TIMES),
        "name": rng.choice(NAMES),
        "n": str(rng.choice([2, 3, 3, 4, 4, 5, 6])),
        "months": str(rng.randint(2, 11)),
        "hours": str(rng.choice([2, 2, 3, 3, 4])),
        "minutes": str(rng.choice([25, 35, 40, 45, 50, 55, 70, 90])),
        "short": str(rng.choice([2, 3, 4, 5, 5, 10, 15])),
        "days": str(rng.choice([3, 4, 5, 6, 8, 10])),
        "weeks": str(rng.choice([3, 4, 5, 6, 7])),
        "day": str(rng.choice([12, 18, 21, 25, 28, 29])),
        "mbps": str(rng.choice([280, 340, 410, 460, 520, 610, 700, 780, 850, 920])),
        "slow": str(rng.choice(["0.4", "0.8", "1.2", "2", "3", "4.5"])),
        "base": str(base),
        "amt": str(amt),
        "total": str(base + amt),
        "perline": rng.choice(["$3.99", "$4.49", "$4.99", "$5.99"]),
        "joined": str(rng.choice([2018, 2019, 2020, 2021, 2022, 2023, 2024])),
        # a month in the year before the review, so "signed up in X" is in the past
        "month": MONTHS[(date.month - 1 - rng.randint(1, 11)) % 12],
        "plan_lc": plan.lower(),
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    idxs = [i for i, w in enumerate(words) if w.lower().strip(".,!?'") in TYPOS]
    if not idxs:
        return text
    i = rng.choice(idxs)
    w = words[i]
    core = w.strip(".,!?'")
    repl = TYPOS[core.lower()]
    if core[:1].isupper():
        repl = repl[:1].upper() + repl[1:]
    words[i] = w.replace(core, repl, 1)
    return " ".join(words)


def _polarity(rng: random.Random, topic: str, date: _dt.date, region: str,
              channel: str) -> tuple[str, str]:
    """Return (polarity, subpool) for one topic mention; this is the story."""
    if topic == "calls":
        if region == "Coastal":
            p_pos = 0.18 if date >= COASTAL_UPGRADE else 0.45
        elif region == "South":
            p_pos = 0.68
        else:
            p_pos = 0.82
        if rng.random() < p_pos:
            return "pos", "calls"
        if region == "Coastal" and date >= COASTAL_UPGRADE and rng.random() < 0.5:
            return "neg", "coastal_calls"
        return "neg", "calls"
    if topic == "fees":
        p_pos = 0.82 if date < FEE_INTRODUCED else 0.20
        if rng.random() < p_pos:
            return "pos", "fees"
        if date >= FEE_INTRODUCED and rng.random() < 0.78:
            return "neg", "fees_access"
        return "neg", "fees_general"
    if topic == "support":
        p_pos = 0.80 if channel in ("Store survey", "Social media") else 0.35
        if rng.random() < p_pos:
            return "pos", "support"
        if channel in ("Store survey", "Social media"):
            return "neg", "support_general"
        return "neg", ("support_night" if rng.random() < 0.65 else "support_general")
    p_pos = {"speed": 0.78, "coverage": 0.70, "switching": 0.80, "refund": 0.50}[topic]
    return ("pos", topic) if rng.random() < p_pos else ("neg", topic)


SUBPOOLS = {
    "coastal_calls": COASTAL_CALLS_NEG,
    "fees_general": NEG_FEES_GENERAL,
    "fees_access": NEG_FEES_ACCESS,
    "support_general": NEG_SUPPORT_GENERAL,
    "support_night": NEG_SUPPORT_NIGHT,
}
# Where a second sentence on the same topic may come from instead.
FALLBACK = {
    "coastal_calls": NEG["calls"],
    "fees_access": NEG_FEES_GENERAL,
    "support_night": NEG_SUPPORT_GENERAL,
}


def _pool(polarity: str, subpool: str) -> list[str]:
    if subpool in SUBPOOLS:
        return SUBPOOLS[subpool]
    return POS[subpool] if polarity == "pos" else NEG[subpool]


def _topic_weights(date: _dt.date, region: str) -> list[float]:
    w = {"calls": 26, "fees": 16, "support": 20, "speed": 14, "coverage": 13,
         "switching": 10, "refund": 3}
    if region == "Coastal" and date >= COASTAL_UPGRADE:
        w["calls"] = 50          # complaints surge after the tower upgrade
    if date >= FEE_INTRODUCED:
        w["fees"] = 27           # the new fee gets people talking
    return [w[t] for t in TOPICS]


def _channel(rng: random.Random, topic: str, date: _dt.date) -> str:
    weights = list(CHANNEL_WEIGHTS)
    if topic == "fees" and date >= FEE_INTRODUCED:
        weights = [10, 10, 34, 38, 12, 6]   # Trustpilot + Support ticket heavy
    elif topic == "support":
        weights = [14, 14, 16, 18, 20, 20]
    return rng.choices(CHANNELS, weights=weights)[0]


def _rating(rng: random.Random, polarities: list[str]) -> int:
    if rng.random() < 0.05:              # people mis-click / rate something else
        return rng.randint(1, 5)
    pos = polarities.count("pos")
    neg = polarities.count("neg")
    if pos and not neg:
        return rng.choices([5, 4, 3], weights=[55, 35, 10])[0]
    if neg and not pos:
        return rng.choices([1, 2, 3], weights=[55, 35, 10])[0]
    if pos and neg:
        return rng.choices([2, 3, 4], weights=[30, 45, 25])[0]
    return rng.choices([2, 3, 4, 5], weights=[10, 45, 35, 10])[0]


def _compose(rng, topics_pol, region, plan, date):
    """Build the review text from (topic, polarity, subpool) mentions."""
    sentences: list[str] = []
    used: set[str] = set()

    def pick(pool):
        for _ in range(20):
            t = rng.choice(pool)
            if t not in used:
                used.add(t)
                return _fill(rng, t, region, plan, date)
        return None

    main_t, main_pol, main_sub = topics_pol[0]
    n_main = 2 if rng.random() < 0.30 else 1
    for k in range(n_main):
        # a second sentence on the main topic keeps the same polarity; for some
        # special sub-pools it may come from the general complaints instead
        pool = _pool(main_pol, main_sub)
        if k == 1 and main_sub in FALLBACK and rng.random() < 0.5:
            pool = FALLBACK[main_sub]
        s = pick(pool)
        if s:
            sentences.append(s)
    for t, pol, sub in topics_pol[1:]:
        s = pick(_pool(pol, sub))
        if s:
            sentences.append(s)

    n_off = rng.choices([0, 1, 2], weights=[45, 40, 15])[0]
    n_sent = sum(len(re.findall(r"[.!?]+(?:\s|$)", s)) or 1 for s in sentences)
    n_off = max(0, min(n_off, 4 - n_sent))
    off = [pick(OFF_TOPIC) for _ in range(n_off)]
    off = [s for s in off if s]
    if off and rng.random() < 0.6:
        return off + sentences, True
    return sentences + off, not off


def _style(rng: random.Random, sentences: list[str], ends_on_topic: bool) -> str:
    text = " ".join(sentences)
    r = rng.random()
    if r < 0.07:
        text = rng.choice(PREFIXES) + text[0].lower() + text[1:]
    if rng.random() < 0.08:
        text = _typo(rng, text)
    if rng.random() < 0.14:
        text = text.lower()
    if rng.random() < 0.07 and text[-1] in ".":
        text = text[:-1]
    if rng.random() < 0.05 and ends_on_topic and text[-1] in ".!":
        text = text[:-1] + "!!"
    return text


def _random_date(rng: random.Random) -> _dt.date:
    span = (END - START).days
    return START + _dt.timedelta(days=rng.randint(0, span))


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

def generate(seed: int = SEED) -> list[dict]:
    """Return the demo rows, sorted by date.

    Each row has the CSV columns plus a private ``_mentions`` key (a list of
    ``(topic, polarity)``) that the CSV writer drops; handy for sanity checks.
    """
    rng = random.Random(seed)
    rows: list[dict] = []
    seen_texts: set[str] = set()
    while len(rows) < N_REVIEWS:
        date = _random_date(rng)
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        plan = rng.choices(PLANS, weights=PLAN_WEIGHTS)[0]
        if rng.random() < 0.04:               # purely off-topic review
            channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
            n_off = rng.choice([1, 2])
            sents = []
            for t in rng.sample(OFF_TOPIC, n_off):
                sents.append(_fill(rng, t, region, plan, date))
            mentions = []
            on_topic = False
        else:
            main = rng.choices(TOPICS, weights=_topic_weights(date, region))[0]
            channel = _channel(rng, main, date)
            pol, sub = _polarity(rng, main, date, region, channel)
            topics_pol = [(main, pol, sub)]
            if rng.random() < 0.25:
                others = [t for t in TOPICS if t not in (main, "refund")]
                if date >= FEE_INTRODUCED and channel not in (
                        "Support ticket", "Trustpilot") and rng.random() < 0.7:
                    others = [t for t in others if t != "fees"]
                second = rng.choice(others)
                p2, s2 = _polarity(rng, second, date, region, channel)
                topics_pol.append((second, p2, s2))
            sents, on_topic = _compose(rng, topics_pol, region, plan, date)
            mentions = [(t, p) for t, p, _ in topics_pol]
        text = _style(rng, sents, on_topic)
        if text in seen_texts:                # no accidental duplicates
            continue
        seen_texts.add(text)
        rows.append({
            "date": date.isoformat(),
            "rating": _rating(rng, [p for _, p in mentions]),
            "channel": channel,
            "region": region,
            "plan": plan,
            "text": text,
            "_mentions": mentions,
        })

    rows.sort(key=lambda r: (r["date"], r["region"], r["text"]))

    # Deliberate exact duplicates: the same review submitted twice.
    for src in sorted(rng.sample(range(len(rows)), N_DUPLICATES), reverse=True):
        rows.insert(src + 1, dict(rows[src]))

    # Blank texts (empty survey answers / tickets with an attachment only).
    for k, pos in enumerate(sorted(rng.sample(range(len(rows)), N_BLANK), reverse=True)):
        blank = dict(rows[pos])
        blank["text"] = "" if k != 1 else "   "
        blank["rating"] = rng.choice([3, 4, 5])
        blank["channel"] = "Store survey"
        blank["_mentions"] = []
        rows.insert(pos + 1, blank)

    for i, row in enumerate(rows, start=1):
        row["review_id"] = f"BW-{i:05d}"
    return rows


def write_csv(rows: list[dict], path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def default_output_path() -> str:
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(repo_root, "data", "demo_reviews.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default_output_path(),
                        help="output CSV path (default: data/demo_reviews.csv)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"random seed (default: {SEED})")
    args = parser.parse_args(argv)
    rows = generate(args.seed)
    write_csv(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
