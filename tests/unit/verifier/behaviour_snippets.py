"""Hand-written reasoning snippets labelled with the behaviours a reader sees in them.

Labels: V verification, S subgoal setting, B backtracking, C backward chaining. Written to
include hard cases: silent behaviours the detector cannot see, and words it can mistake.
"""

from __future__ import annotations

SNIPPETS: list[tuple[str, str]] = [
    ("Let me check: 3 * 4 = 12, so the area is 12.", "V"),
    ("Plugging x = 2 back into the equation gives 4 + 4 = 8, which matches.", "V"),
    ("To verify, substitute n = 5: 25 - 5 = 20. Correct.", "V"),
    ("Double-check the sum: 17 + 25 = 42. Good.", "V"),
    ("Let's verify this with a small case, n = 1.", "V"),
    ("A quick sanity check: the probability is between 0 and 1.", "V"),
    ("So the answer 42 checks out.", "V"),
    ("This is consistent with the earlier estimate of about 40.", "V"),
    ("Let me confirm the units: meters per second squared.", "V"),
    ("I can verify the root by substitution: f(3) = 0.", "V"),
    ("First, we need to find the radius. Then we compute the area.", "S"),
    ("Step 1: factor the quadratic. Step 2: solve each factor.", "S"),
    ("Let's break the problem into two cases: n even and n odd.", "S"),
    ("We need to determine the number of ways to choose 3 of 10.", "S"),
    ("The plan is to bound the sum from above and below.", "S"),
    ("Let's start by computing the derivative.", "S"),
    ("Next, we need the value of g(2).", "S"),
    ("Our goal is to show the sequence is monotone.", "S"),
    ("Firstly, I will list all primes below 20.", "S"),
    ("Then we can apply the triangle inequality to each term.", "S"),
    ("Wait, that gives a negative length, which is impossible.", "B"),
    ("Actually, I misread the question: it asks for the perimeter.", "B"),
    ("No, that's not right; the exponent should be 3.", "B"),
    ("I made a mistake in the second line: 7 * 8 is 56, not 54.", "B"),
    ("Let me reconsider: the events are not independent.", "B"),
    ("Hmm, this approach doesn't work for odd n. Let's try a different method.", "B"),
    ("On second thought, the boundary case matters.", "B"),
    ("Scratch that, the denominator is zero there.", "B"),
    ("That is incorrect, since the function is not continuous.", "B"),
    ("Let me try again with the substitution u = x^2.", "B"),
    ("Working backwards from the final amount of 100, the previous amount was 50.", "C"),
    ("Starting from the goal, we need the last step to produce 24.", "C"),
    ("In order to get a sum of 10, we need the other two dice to add to 6.", "C"),
    ("For the product to be even, we need at least one even factor.", "C"),
    ("What would we need for the equation to have a double root? The discriminant must be 0.", "C"),
    ("Reasoning backwards: the last move must leave 4 stones.", "C"),
    ("Work backward from 31: before the doubling it was 15.5, so that fails.", "C"),
    ("Wait, let me check that again: 9 * 7 = 63, not 56.", "BV"),
    ("First, let's compute the mean. Wait, the data has an outlier.", "SB"),
    ("Actually, let me verify the second case by plugging in n = 2 back.", "BV"),
    ("Step 1: set up the equation. Let me check it with x = 0.", "SV"),
    ("In order for x to be an integer, we need 7 to divide 21. Let's verify: 21 / 7 = 3.", "CV"),
    ("The triangle has sides 3, 4 and 5, so its area is 6.", ""),
    ("Multiply both sides by 2 to get x = 14.", ""),
    ("The derivative of x^3 is 3x^2.", ""),
    ("There are 10 choose 3 = 120 ways.", ""),
    ("So the final answer is 42.", ""),
    ("The check for $5 was cashed on Monday, so the balance is $15.", ""),
    ("Since the sequence is geometric with ratio 2, the 5th term is 48.", ""),
    ("The waiting time is exponentially distributed with mean 3.", ""),
    ("Each step of the staircase is 20 cm high, so 15 steps make 3 m.", ""),
    ("The goal of the game is to reach 21 without going over.", ""),
    ("The answer is 7 because 3 + 4 = 7.", ""),
    ("By symmetry, both angles are 45 degrees.", ""),
    ("Next to the river stands a tower 30 m tall.", ""),
    ("The area is 12 and the perimeter is 14.", ""),
    ("Hmm. 12 / 4 = 3. So each person gets 3.", ""),
    ("Recompute 17 * 3 = 51; yes, 51.", "V"),  # silent verification: no cue phrase
    ("Hmm, 0.3 is too small; 0.35 then.", "B"),  # silent backtracking
    ("We want 24 at the end, so the last operation must be multiplying 4 by 6.", "C"),  # paraphrase
    ("I'll handle the small cases, then the general one.", "S"),  # paraphrase
    ("Wait times at the clinic average 20 minutes.", ""),  # "wait" as a noun
    ("Step 3 of the proof uses induction on n.", ""),  # describes a proof, sets no subgoal
    ("The tool is used to verify identity documents.", ""),  # "verify" out of reasoning
]
