// Guards the store's virtual MFA devices: put/find/erase through
// StoreEditor, listed by for_each, invisible to snapshots taken before.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "stsd/domain/store.h"

using namespace stsd::domain;

namespace {
StoreData one_account() {
  StoreData d;
  d.accounts = {{"111122223333", "", {}, {}}};
  return d;
}

VirtualMfaDevice device(std::string serial) {
  VirtualMfaDevice v;
  v.account = "111122223333";
  v.serial = std::move(serial);
  v.secret = std::string("\x01\x02\x03", 3);
  v.create_date = 1700000000;
  return v;
}

std::vector<std::string> serials(const Store& s) {
  std::vector<std::string> out;
  s.for_each_virtual_mfa_device([&](const VirtualMfaDevice& d) { out.push_back(d.serial); });
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST(StoreVirtualMfa, PutFindEraseAndSnapshotIsolation) {
  auto base = std::make_shared<const Store>(one_account());
  StoreEditor editor(*base);
  editor.put_virtual_mfa_device(device("arn:aws:iam::111122223333:mfa/a"));
  editor.put_virtual_mfa_device(device("arn:aws:iam::111122223333:mfa/b"));
  auto next = std::move(editor).finish();

  EXPECT_EQ(base->find_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a"), nullptr);
  EXPECT_TRUE(serials(*base).empty());
  const VirtualMfaDevice* a = next->find_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->secret, std::string("\x01\x02\x03", 3));
  EXPECT_EQ(a->create_date, 1700000000);
  EXPECT_EQ(serials(*next),
            (std::vector<std::string>{"arn:aws:iam::111122223333:mfa/a", "arn:aws:iam::111122223333:mfa/b"}));

  StoreEditor second(*next);
  EXPECT_TRUE(second.erase_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a"));
  EXPECT_FALSE(second.erase_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a"));
  auto last = std::move(second).finish();
  EXPECT_EQ(last->find_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a"), nullptr);
  EXPECT_EQ(serials(*last), (std::vector<std::string>{"arn:aws:iam::111122223333:mfa/b"}));
  EXPECT_NE(next->find_virtual_mfa_device("arn:aws:iam::111122223333:mfa/a"), nullptr);
}
