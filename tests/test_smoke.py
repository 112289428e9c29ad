def test_clerk_sees_only_own_township_cases(world, login):
    client = login("clerkA")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert world.cases["A"].number in page
    assert world.cases["B"].number not in page
